import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Platform } from './platform.js';
import type { Projection } from './projections/projection.js';
import { roomTypeCommands } from '../commands/room-types/routes.js';
import { roomCommands } from '../commands/rooms/routes.js';
import { roomQueries } from '../queries/rooms.js';
import { roomsProjection } from '../projections/rooms.js';
import { userCommands } from '../commands/users/routes.js';
import { sessionCommands } from '../commands/sessions/routes.js';
import { oauthCommands } from '../commands/sessions/oauth.js';
import { userQueries } from '../queries/users.js';
import { usersProjection } from '../projections/users.js';
import { venueCommands } from '../commands/venue/routes.js';
import { bookingCommands } from '../commands/bookings/routes.js';
import { bookingJobs } from '../commands/bookings/expiry.js';
import type { JobHandler } from './jobs/queue.js';
import { paymentCommands } from '../commands/payments/routes.js';
import { paymentJobs } from '../commands/payments/jobs.js';
import { ledgerQueries } from '../queries/ledger.js';
import { reconciliationQueries } from '../queries/reconciliation.js';
import { availabilityQueries } from '../queries/availability.js';
import { bookingQueries } from '../queries/bookings.js';
import { venueQueries } from '../queries/venue.js';
import { bookingsProjection } from '../projections/bookings.js';
import { venueProjection } from '../projections/venue.js';
import { ledgerProjection } from '../projections/ledger.js';

/**
 * The one place that knows every feature: the app assembly registers these
 * routes, and the projector (in the API process or alone) runs these projections.
 */
export const features: Readonly<{
  routes: readonly FastifyPluginAsyncTypebox<{ platform: Platform }>[];
  projections: readonly Projection[];
  jobs: (platform: Platform) => { handlers: Record<string, JobHandler>; sweeps: (() => Promise<void>)[] };
}> = {
  routes: [userCommands, sessionCommands, oauthCommands, userQueries, roomTypeCommands, roomCommands, roomQueries, venueCommands, bookingCommands, paymentCommands, ledgerQueries, reconciliationQueries, availabilityQueries, bookingQueries, venueQueries],
  projections: [usersProjection, roomsProjection, venueProjection, bookingsProjection, ledgerProjection],
  jobs: (platform) => {
    const parts = [bookingJobs(platform), paymentJobs(platform)];
    return { handlers: Object.assign({}, ...parts.map((p) => p.handlers)), sweeps: parts.flatMap((p) => p.sweeps) };
  },
};
