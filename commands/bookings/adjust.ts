import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { ValidationError } from '../../src/errors.js';
import { newId } from '../../src/ids.js';
import { actorOf, loadBooking, type BookingContext } from './context.js';
import { bookingDecider } from './decider.js';
import { OpenBill, openBill } from './bill.js';

const Body = Type.Object(
  {
    kind: Type.Union([Type.Literal('discount'), Type.Literal('comp'), Type.Literal('round_off')]),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'fen; a discount or a round-off of this much' })),
    percent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'a discount of this share of the bill as it stands' })),
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** 折扣 / 免单 / 抹零 with a manager's approval: each is an event naming who made it and why, and a negative line on the bill. */
export const adjustRoute: FastifyPluginAsyncTypebox<Pick<BookingContext, 'store' | 'clock'>> = async (app, ctx) => {
  app.post(
    '/bookings/:id/adjustments',
    {
      config: { permission: 'bill:adjust' },
      schema: {
        tags: ['desk'],
        summary: 'Take something off an open bill: a discount (percent or amount), a comp or a round-off',
        description:
          'A comp covers the whole bill as it stands (later orders are billed); a round-off without an amount drops the jiao and fen. ' +
          '`422 adjustment_exceeds_bill` when it would take off more than the bill; `409` once the party has checked out.',
        params: IdParams,
        body: Body,
        response: replies({ 201: Type.Object({ adjustmentId: Type.String(), amount: Type.Integer(), bill: OpenBill }) }),
      },
    },
    async (request, reply) => {
      const { kind, amount = null, percent = null, reason } = request.body;
      if (kind === 'discount' && (amount === null) === (percent === null)) {
        throw new ValidationError([{ field: 'amount', message: 'a discount is either an amount or a percent' }]);
      }
      if (kind !== 'discount' && percent !== null) {
        throw new ValidationError([{ field: 'percent', message: 'only a discount takes a percent' }]);
      }
      if (kind === 'comp' && amount !== null) {
        throw new ValidationError([{ field: 'amount', message: 'a comp covers the whole bill and takes no amount' }]);
      }
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const adjustmentId = newId<'adjustment'>();
      const command = { type: 'Adjust', adjustmentId, kind, amount, percent, reason, by: actor.userId, now: ctx.clock() } as const;
      const { state } = await handle(ctx.store, bookingStream(booking.id), bookingDecider, command, metadataOf(request));
      if (state.status === 'none') throw new Error('an adjusted booking vanished');
      const made = state.adjustments.find((a) => a.adjustmentId === adjustmentId);
      return reply.code(201).send({ adjustmentId, amount: made?.amount ?? 0, bill: openBill(state) });
    },
  );
};
