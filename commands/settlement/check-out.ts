import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { metadataOf } from '../../src/http/metadata.js';
import { BillLine, BillTax, IdParams, replies } from '../../src/http/schemas.js';
import { linesOf } from '../../domain/billing/lines.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { billTotal } from '../bookings/decider.js';
import { checkOut } from '../bookings/check-out.js';
import { recordDeskPayment, type PaymentContext } from '../payments/process.js';
import { refundablePayments, refundBooking } from './refund-booking.js';

const Bill = Type.Object({
  total: Type.Integer(),
  paid: Type.Integer(),
  due: Type.Integer(),
  /** What was paid beyond the bill and given back now (0 when nothing was). */
  refund: Type.Integer(),
  currency: Type.Literal('CNY'),
  lines: Type.Array(BillLine),
  tax: Type.Optional(BillTax),
});

/**
 * 结账: the booking is checked out, what is still due is taken at the desk, and
 * what was paid beyond the bill (a deposit larger than the bill after a move to a
 * cheaper room) is given back, never left standing in deposits.
 */
export const checkOutRoute: FastifyPluginAsyncTypebox<PaymentContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/check-out',
    {
      config: { permission: 'booking:check_in' },
      schema: {
        tags: ['bookings'],
        summary: 'Close the room and settle the bill (结账); the room then enters its cleaning buffer',
        description:
          'What is due is taken at the desk (`settlement`: cash by default, card, or none when it was paid by WeChat Pay beforehand). ' +
          'What was paid beyond the bill is refunded through the payments that took it, newest first (cash and card at the desk), and reported as `bill.refund`.',
        params: IdParams,
        body: Type.Union([
          Type.Object(
            { settlement: Type.Optional(Type.Union([Type.Literal('cash'), Type.Literal('card'), Type.Literal('none')])) },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
        response: replies({ 200: Type.Object({ id: Type.String(), status: Type.Literal('checked_out'), bill: Bill }) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const metadata = metadataOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const closing = booking.status === 'checked_in';
      // The bill as check-out decided it (tax included); a repeated check-out answers without taking anything.
      const settled = await checkOut(ctx.store, booking, actor.userId, metadata, ctx.clock());
      const method = request.body?.settlement ?? 'cash';
      if (closing && settled.due > 0 && method !== 'none')
        await recordDeskPayment(ctx, booking.id, method, 'balance', settled.due, actor.userId, metadata);
      // Measured from what the payments still hold, so a check-out retried after a crash here refunds the rest and no more.
      const held = (await refundablePayments(ctx, booking.paymentIds)).reduce((sum, p) => sum + p.refundable, 0);
      const over = Math.max(0, held - billTotal(booking));
      // Newest first, each through the method that took it (cash and card are paid out at the desk).
      const refund = await refundBooking(
        ctx,
        [...booking.paymentIds].reverse(),
        over,
        'paid beyond the bill at check-out',
        metadata,
        actor.userId,
      );
      return { id: booking.id, status: 'checked_out' as const, bill: { ...settled, lines: linesOf(settled), refund } };
    },
  );
};
