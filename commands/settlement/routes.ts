import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PaymentContext } from '../payments/process.js';
import { confirmAtDeskRoute } from './confirm-at-desk.js';
import { cancelRoute } from './cancel.js';
import { checkOutRoute } from './check-out.js';
import { refundAfterCheckOutRoute } from './refund-after-check-out.js';

/**
 * Where a booking meets money: the desk confirming a hold with a deposit,
 * cancelling with its refund, checking out with the balance, refunds after check-out. It uses bookings
 * and payments, so neither of those needs the other's routes.
 */
export const settlementCommands: FastifyPluginAsyncTypebox<PaymentContext> = async (app, ctx) => {
  for (const route of [confirmAtDeskRoute, cancelRoute, checkOutRoute, refundAfterCheckOutRoute]) await app.register(route, ctx);
};
