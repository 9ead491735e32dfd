import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { principalOf } from '../../src/http/access.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { allows } from '../../src/auth/permissions.js';
import { ValidationError } from '../../src/errors.js';
import { newId } from '../../src/ids.js';
import { currentVenue } from '../venue/current.js';
import { actorOf, loadBooking, type BookingContext } from './context.js';
import { bookingDecider, type AdjustAuthority } from './decider.js';
import { OpenBill, openBill } from './bill.js';

/** A correction as asked for: made at once, or put to a manager as a request. */
export const AdjustmentBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('discount'), Type.Literal('comp'), Type.Literal('round_off')]),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'fen; a discount or a round-off of this much' })),
    percent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'a discount of this share of the bill as it stands' })),
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** The correction a body asks for, its amount and percent checked against its kind (422 otherwise). */
export function askedAdjustment(body: Static<typeof AdjustmentBody>) {
  const { kind, amount = null, percent = null, reason } = body;
  if (kind === 'discount' && (amount === null) === (percent === null)) {
    throw new ValidationError([{ field: 'amount', message: 'a discount is either an amount or a percent' }]);
  }
  if (kind !== 'discount' && percent !== null)
    throw new ValidationError([{ field: 'percent', message: 'only a discount takes a percent' }]);
  if (kind === 'comp' && amount !== null) {
    throw new ValidationError([{ field: 'amount', message: 'a comp covers the whole bill and takes no amount' }]);
  }
  return { kind, amount, percent, reason };
}

export const AdjustmentMade = Type.Object({ adjustmentId: Type.String(), amount: Type.Integer(), bill: OpenBill });

/**
 * 折扣 / 免单 / 抹零: each is an event naming who asked, who approved and why, and a negative line
 * on the bill. Managers approve their own; waiters theirs up to the venue's limit for one bill.
 */
export const adjustRoute: FastifyPluginAsyncTypebox<Pick<BookingContext, 'store' | 'clock'>> = async (app, ctx) => {
  app.post(
    '/bookings/:id/adjustments',
    {
      config: { permission: 'bill:request_adjustment' },
      schema: {
        tags: ['desk'],
        summary: 'Take something off an open bill: a discount (percent or amount), a comp or a round-off',
        description:
          'A comp covers the whole bill as it stands (later orders are billed); a round-off without an amount drops the jiao and fen. ' +
          'Managers and admins approve their own. A waiter may take off up to the venue’s `waiterAdjustmentLimit` of one bill in all ' +
          '(default 0); beyond it `403 forbidden`, and the waiter asks a manager with `POST /bookings/:id/adjustment-requests`. ' +
          '`422 adjustment_exceeds_bill` when it would take off more than the bill; `409` once the party has checked out.',
        params: IdParams,
        body: AdjustmentBody,
        response: replies({ 201: AdjustmentMade }),
      },
    },
    async (request, reply) => {
      const asked = askedAdjustment(request.body);
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const authority: AdjustAuthority = allows(principalOf(request).roles, 'bill:adjust')
        ? { kind: 'manager' }
        : { kind: 'waiter', limit: (await currentVenue(ctx.store)).waiterAdjustmentLimit };
      const adjustmentId = newId<'adjustment'>();
      const command = { type: 'Adjust', adjustmentId, ...asked, authority, by: actor.userId, now: ctx.clock() } as const;
      const { state } = await handle(ctx.store, bookingStream(booking.id), bookingDecider, command, metadataOf(request));
      if (state.status === 'none') throw new Error('an adjusted booking vanished');
      const made = state.adjustments.find((a) => a.adjustmentId === adjustmentId);
      return reply.code(201).send({ adjustmentId, amount: made?.amount ?? 0, bill: openBill(state) });
    },
  );
};
