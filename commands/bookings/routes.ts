import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AdmissionContext } from './admission.js';
import { bookingRequestRoute } from './admission.js';
import { holdRoute } from './hold-route.js';
import { walkInRoute } from './walk-in.js';
import { checkInRoute } from './check-in.js';
import { extendRoute } from './extend.js';
import { moveRoute } from './move.js';
import { noShowRoute } from './no-show.js';
import { adjustRoute } from './adjust.js';

/** The booking life over HTTP, one module per command; confirming, cancelling and checking out take money and live in commands/settlement. */
export const bookingCommands: FastifyPluginAsyncTypebox<AdmissionContext> = async (app, ctx) => {
  for (const route of [holdRoute, walkInRoute, checkInRoute, extendRoute, moveRoute, noShowRoute, adjustRoute, bookingRequestRoute])
    await app.register(route, ctx);
};
