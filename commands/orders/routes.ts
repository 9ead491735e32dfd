import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { placeOrderRoute, type OrderContext } from './place.js';
import { voidOrderLineRoute } from './void.js';

/** Food and drink on a party's bill: orders take stock from the products, voids give it back. */
export const orderCommands: FastifyPluginAsyncTypebox<OrderContext> = async (app, ctx) => {
  for (const route of [placeOrderRoute, voidOrderLineRoute]) await app.register(route, ctx);
};
