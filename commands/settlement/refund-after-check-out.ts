import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../src/errors.js';
import { load } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { paymentStream } from '../../src/events/payments.js';
import { isUuid } from '../../src/ids.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { paymentDecider, refundable } from '../payments/decider.js';
import { refundPayment, type PaymentContext } from '../payments/process.js';

/** The VAT rate of the bill as check-out recorded it (none when the venue charged none). */
async function vatRateOf(store: EventStore, bookingId: string): Promise<number> {
  const { events } = await store.readStream(bookingStream(bookingId));
  const out = events.find((e) => e.type === 'BookingCheckedOut');
  return (out?.data as { bill?: { tax?: { ratePercent: number } } } | undefined)?.bill?.tax?.ratePercent ?? 0;
}

/**
 * 退款: money given back after the bill was settled (a complaint, a wrong charge). A manager
 * approves it; the event names who asked, who approved and why, and the ledger takes the revenue
 * and its VAT back. The money goes back through the payment that took it.
 */
export const refundAfterCheckOutRoute: FastifyPluginAsyncTypebox<PaymentContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/refunds',
    {
      config: { permission: 'refund:approve' },
      schema: {
        tags: ['bookings'],
        summary: 'Refund part of a settled bill after check-out, approved by the caller (a manager)',
        description:
          '`requestedBy` is the staff member who asked (default: the caller), `reason` is required. The refund goes back through ' +
          '`paymentId` (default: the newest payment of the booking that still holds enough): cash and card at the desk from the ' +
          "caller's till, stored value to the member's balance, WeChat Pay through the provider.",
        params: IdParams,
        body: Type.Object(
          {
            amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'fen' }),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
            requestedBy: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            paymentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: replies({
          201: Type.Object({
            refundId: Type.String(),
            paymentId: Type.String(),
            amount: Type.Integer(),
            requestedBy: Type.String(),
            approvedBy: Type.String(),
            reason: Type.String(),
          }),
        }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      if (booking.status !== 'checked_out')
        throw new ConflictError(
          `booking_${booking.status}`,
          'Refunds after check-out are for a settled bill; cancel a booking still open.',
        );
      const { amount, reason } = request.body;
      const candidates = request.body.paymentId ? [request.body.paymentId] : [...booking.paymentIds].reverse();
      let chosen: string | null = null;
      for (const id of candidates) {
        if (!isUuid(id)) continue;
        const { state } = await load(ctx.store, paymentStream(id), paymentDecider);
        if (state.status === 'none' || state.bookingId !== booking.id) continue;
        if (state.status === 'succeeded' && refundable(state) >= amount) {
          chosen = id;
          break;
        }
        if (request.body.paymentId)
          throw new UnprocessableError(
            'refund_too_large',
            `That payment holds ${state.status === 'succeeded' ? refundable(state) : 0} fen to refund.`,
            {
              field: 'amount',
            },
          );
      }
      if (request.body.paymentId && !chosen) throw new NotFoundError('payment', request.body.paymentId);
      if (!chosen)
        throw new UnprocessableError('payment_required', 'No payment of this booking holds that much; name one with `paymentId`.', {
          field: 'paymentId',
        });
      const requestedBy = request.body.requestedBy ?? actor.userId;
      const authorisation = { requestedBy, approvedBy: actor.userId, vatRatePercent: await vatRateOf(ctx.store, booking.id) };
      const refundId = await refundPayment(ctx, chosen, amount, reason, metadataOf(request), actor.userId, authorisation);
      if (!refundId) throw new Error('no refund recorded');
      return reply.code(201).send({ refundId, paymentId: chosen, amount, requestedBy, approvedBy: actor.userId, reason });
    },
  );
};
