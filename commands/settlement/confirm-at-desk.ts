import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { load } from '../../src/eventstore/decide.js';
import { paymentStream } from '../../src/events/payments.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { ConflictError } from '../../src/errors.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { depositDue } from '../bookings/decider.js';
import { paymentDecider } from '../payments/decider.js';
import { recordDeskPayment, settle, type PaymentContext } from '../payments/process.js';

/** The deposit taken at the desk: recorded as a payment, which confirms the booking like any other. */
export const confirmAtDeskRoute: FastifyPluginAsyncTypebox<PaymentContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/confirm',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['bookings'],
        summary: 'Take the deposit at the desk (cash or card) and confirm the held booking',
        description: '`amount` defaults to what is still due on the deposit: all of it, or the rest after a part paid from stored value.',
        params: IdParams,
        body: Type.Union([
          Type.Object(
            {
              amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
              method: Type.Optional(Type.Union([Type.Literal('cash'), Type.Literal('card')])),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
        response: replies({ 200: Type.Object({ id: Type.String(), status: Type.Literal('confirmed') }) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const metadata = metadataOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      if (booking.status !== 'held') throw new ConflictError(`booking_${booking.status}`, 'Only a held booking can be confirmed.');
      const paymentId = await recordDeskPayment(
        ctx,
        booking.id,
        request.body?.method ?? 'cash',
        'deposit',
        request.body?.amount ?? depositDue(booking),
        actor.userId,
        metadata,
      );
      const { state } = await load(ctx.store, paymentStream(paymentId), paymentDecider);
      if (state.status === 'none') throw new Error('desk payment vanished');
      await settle(ctx, state, metadata, actor.userId);
      const after = await loadBooking(ctx.store, booking.id, actor);
      if (after.status !== 'confirmed')
        throw new ConflictError('hold_expired', 'The hold expired before the payment; it has been refunded.');
      return { id: booking.id, status: 'confirmed' as const };
    },
  );
};
