import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, Money, replies } from '../../src/http/schemas.js';
import { ForbiddenError, UnprocessableError } from '../../src/errors.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { cancelBooking } from '../bookings/cancel.js';
import type { PaymentContext } from '../payments/process.js';
import { refundBooking } from './refund-booking.js';

export const cancelRoute: FastifyPluginAsyncTypebox<PaymentContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/cancel',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['bookings'],
        summary: 'Cancel: a full refund of what was paid up to the cut-off before the start, none after; staff may override with a reason',
        description:
          'A held booking was never confirmed: the parts of its deposit paid from stored value all go back, whenever it is cancelled.',
        params: IdParams,
        body: Type.Union([
          Type.Object(
            { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })), overrideRefund: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
        response: replies({ 200: Type.Object({ id: Type.String(), status: Type.Literal('cancelled'), refund: Money }) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const metadata = metadataOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const override = request.body?.overrideRefund === true;
      if (override && !actor.staff) throw new ForbiddenError('Only staff may override the refund policy.');
      if (override && !request.body?.reason)
        throw new UnprocessableError('reason_required', 'Overriding the refund policy needs a reason.', { field: 'reason' });
      const reason = request.body?.reason ?? (actor.staff ? 'cancelled by staff' : 'cancelled by guest');
      const { refund, booking: cancelled } = await cancelBooking(
        ctx.store,
        booking,
        { reason, override, by: actor.userId },
        metadata,
        ctx.clock(),
      );
      // From the payments that confirmed the booking, oldest first.
      await refundBooking(ctx, cancelled.paymentIds, refund, `cancelled: ${reason}`, metadata, actor.staff ? actor.userId : null);
      return { id: booking.id, status: 'cancelled' as const, refund: { total: refund, currency: 'CNY' as const } };
    },
  );
};
