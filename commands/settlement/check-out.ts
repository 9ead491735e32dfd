import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { metadataOf } from '../../src/http/metadata.js';
import { BillLine, BillTax, IdParams, replies } from '../../src/http/schemas.js';
import { ConflictError } from '../../src/errors.js';
import { linesOf } from '../../domain/billing/lines.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { recordDeskPayment, type PaymentContext } from '../payments/process.js';
import { refundablePayments, refundBooking } from './refund-booking.js';
import { payFromStoredValue } from '../payments/stored-value.js';
import { checkSplit, planSplit, type PlannedPart, type SplitPart } from './split.js';
import { billOf } from '../bookings/decider.js';
import { checkOut, overtimeOf } from '../bookings/check-out.js';
import { currentVenue } from '../venue/current.js';
import { precheck } from '../../src/eventstore/decide.js';
import { walletStream } from '../../src/events/wallets.js';
import { walletDecider } from '../wallets/decider.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import type { Booking } from '../bookings/decider.js';

const Part = Type.Object(
  {
    method: Type.Union([Type.Literal('cash'), Type.Literal('card'), Type.Literal('stored_value')]),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'fen; left out on one part, it takes the rest' })),
    memberId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "stored value: whose (default: the booking's guest)" }),
    ),
  },
  { additionalProperties: false },
);

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
          'Or split across methods with `payments` (cash, card, stored value; WeChat Pay is paid beforehand through `POST /bookings/:id/payments`): ' +
          'one part may leave its amount out and take the rest, the parts must cover what is due (`409 split_mismatch`), and `cashTendered` gives the change. ' +
          'A split is checked against the bill before the room is closed, so a refused one changes nothing. ' +
          'What was paid beyond the bill is refunded through the payments that took it, newest first (cash and card at the desk), and reported as `bill.refund`.',
        params: IdParams,
        body: Type.Union([
          Type.Object(
            {
              settlement: Type.Optional(Type.Union([Type.Literal('cash'), Type.Literal('card'), Type.Literal('none')])),
              payments: Type.Optional(Type.Array(Part, { minItems: 1, maxItems: 10 })),
              cashTendered: Type.Optional(
                Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'cash handed over by the guest, in fen' }),
              ),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
        response: replies({
          200: Type.Object({
            id: Type.String(),
            status: Type.Literal('checked_out'),
            bill: Bill,
            settlement: Type.Optional(
              Type.Object({
                payments: Type.Array(Type.Object({ paymentId: Type.String(), method: Type.String(), amount: Type.Integer() })),
                cashTendered: Type.Integer(),
                change: Type.Integer({ description: 'cash given back (找零)' }),
              }),
            ),
          }),
        }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const metadata = metadataOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const closing = booking.status === 'checked_in';
      const split = request.body?.payments;
      const now = ctx.clock();
      // A split is planned on the bill as check-out will decide it at this instant, so a split that
      // does not cover it is refused while the party is still in the room.
      const plan = split && closing ? await planCheckOut(ctx, booking, split, request.body?.cashTendered, now) : null;
      // The bill as check-out decided it (tax included); a repeated check-out answers without taking anything.
      const settled = await checkOut(ctx.store, booking, actor.userId, metadata, now);
      const method = request.body?.settlement ?? 'cash';
      const heldNow = async () => (await refundablePayments(ctx, booking.paymentIds)).reduce((sum, p) => sum + p.refundable, 0);
      let settlement;
      if (split) {
        const { cashTendered = 0, change = 0, parts = [] } = plan ?? {};
        // What was handed over is recorded only when the desk entered it, for the receipt to print.
        const given = request.body?.cashTendered === undefined ? null : change;
        settlement = { cashTendered, change, payments: await takeParts(ctx, booking, parts, actor.userId, metadata, given) };
      } else if (closing && settled.due > 0 && method !== 'none')
        await recordDeskPayment(ctx, booking.id, method, 'balance', settled.due, actor.userId, metadata);
      // Measured from what the payments still hold, so a check-out retried after a crash here refunds the rest and no more.
      const held = await heldNow();
      // The total as check-out recorded it (overtime included), also on a repeated check-out.
      const over = Math.max(0, held - settled.total);
      // Newest first, each through the method that took it (cash and card are paid out at the desk).
      const refund = await refundBooking(
        ctx,
        [...booking.paymentIds].reverse(),
        over,
        'paid beyond the bill at check-out',
        metadata,
        actor.userId,
      );
      const bill = { ...settled, lines: linesOf(settled), refund };
      if (!settlement) return { id: booking.id, status: 'checked_out' as const, bill };
      const { cashTendered, change, payments } = settlement;
      return { id: booking.id, status: 'checked_out' as const, bill, settlement: { payments, cashTendered, change } };
    },
  );
};

/** The split of what check-out at `now` will leave due: the same overtime, the same lines. */
async function planCheckOut(
  ctx: PaymentContext,
  booking: Booking,
  split: readonly SplitPart[],
  cashTendered: number | undefined,
  now: Date,
) {
  checkSplit(split, cashTendered);
  const overtime = await overtimeOf(ctx.store, await currentVenue(ctx.store), booking, now);
  const plan = planSplit(split, billOf(booking, overtime).due, cashTendered);
  for (const part of plan.parts) {
    if (part.method !== 'stored_value') continue;
    const memberId = part.memberId ?? booking.guestId;
    if (!memberId) throw new ConflictError('no_member', 'This booking has no member; name one with `memberId`.');
    await precheck(ctx.store, walletStream(memberId), walletDecider, {
      type: 'Spend',
      userId: memberId,
      paymentId: `check-out-${booking.id}`,
      bookingId: booking.id,
      amount: part.amount,
      by: 'desk',
      now,
    });
  }
  return plan;
}

/**
 * Takes each part of a split, stored value first (the one part that can be refused), then card, then
 * cash. With `change` (the desk entered the cash tendered), each cash payment records what was handed
 * over for it: its amount, and the last one the change as well, so the tendered and change of the
 * payments add up to the settlement's.
 */
async function takeParts(
  ctx: PaymentContext,
  booking: Booking,
  parts: readonly PlannedPart[],
  staffId: string,
  metadata: EventMetadata,
  change: number | null,
) {
  const order = { stored_value: 0, card: 1, cash: 2 } as const;
  const taken: { paymentId: string; method: string; amount: number }[] = [];
  const sorted = [...parts].sort((a, b) => order[a.method] - order[b.method]);
  const lastCash = sorted.findLastIndex((p) => p.method === 'cash');
  for (const [i, part] of sorted.entries()) {
    let paymentId: string;
    if (part.method === 'stored_value') {
      const memberId = part.memberId ?? booking.guestId;
      if (!memberId) throw new ConflictError('no_member', 'This booking has no member; name one with `memberId`.');
      paymentId = await payFromStoredValue(
        ctx,
        { bookingId: booking.id, memberId, purpose: 'balance', amount: part.amount },
        staffId,
        staffId,
        metadata,
      );
    } else {
      const tendered = change === null || part.method !== 'cash' ? undefined : part.amount + (i === lastCash ? change : 0);
      paymentId = await recordDeskPayment(ctx, booking.id, part.method, 'balance', part.amount, staffId, metadata, tendered);
    }
    taken.push({ paymentId, method: part.method, amount: part.amount });
  }
  return taken;
}
