import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { tillStream } from '../../src/events/shifts.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { allows } from '../../src/auth/permissions.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { NotFoundError, UnprocessableError } from '../../src/errors.js';
import { staffOfShift, tillDecider, type ClosedShift } from './decider.js';

export type ShiftContext = Readonly<{ store: EventStore; clock: Clock }>;

const Fen = (description: string) => Type.Integer({ minimum: 0, maximum: 100_000_000, description });
const ByMethod = Type.Object({ cash: Type.Integer(), card: Type.Integer(), wechatpay: Type.Integer(), stored_value: Type.Integer() });

const closeAnswer = (c: ClosedShift) => ({
  shiftId: c.shiftId,
  staffId: c.staffId,
  totals: { byMethod: c.byMethod, refunds: c.refunds },
  openingCash: c.openingCash,
  expectedCash: c.expectedCash,
  countedCash: c.countedCash,
  difference: c.difference,
  reason: c.reason,
  handedOverCash: c.handedOverCash,
  closedAt: c.at,
  currency: 'CNY' as const,
});

/** A staff member's till: opening a shift with a float, closing it with the counted cash (交班). */
export const shiftCommands: FastifyPluginAsyncTypebox<ShiftContext> = async (app, ctx) => {
  app.post(
    '/shifts',
    {
      config: { permission: 'shift:open' },
      schema: {
        tags: ['shifts'],
        summary: 'Open a shift: money the caller takes at the desk belongs to it until it is closed',
        description:
          '`takeOverFrom` names the closed shift whose handed-over cash is this float (交接); the float must then equal it (`422 handover_mismatch`). ' +
          'One shift per staff member at a time (`409 shift_open`).',
        body: Type.Object(
          { openingCash: Fen('the float in the drawer'), takeOverFrom: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: replies({
          201: Type.Object({
            shiftId: Type.String(),
            openingCash: Type.Integer(),
            takenOverFrom: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const { openingCash, takeOverFrom = null } = request.body;
      if (takeOverFrom) {
        const previous = await closedShift(ctx.store, takeOverFrom);
        if (previous.handedOverCash !== openingCash)
          throw new UnprocessableError(
            'handover_mismatch',
            `${previous.handedOverCash} fen was handed over; the float says ${openingCash}.`,
            {
              field: 'openingCash',
              handedOverCash: previous.handedOverCash,
            },
          );
      }
      const { events } = await handle(
        ctx.store,
        tillStream(userId),
        tillDecider,
        { type: 'Open', staffId: userId, openingCash, takenOverFrom: takeOverFrom, now: ctx.clock() },
        metadataOf(request),
      );
      const opened = events.find((e) => e.type === 'ShiftOpened');
      if (opened?.type !== 'ShiftOpened') throw new Error('no shift opened');
      return reply.code(201).send({ shiftId: opened.data.shiftId, openingCash, takenOverFrom: takeOverFrom });
    },
  );

  app.post(
    '/shifts/:id/close',
    {
      config: { permission: 'shift:open' },
      schema: {
        tags: ['shifts'],
        summary: 'Close a shift with the cash counted in the drawer: totals by method, expected cash and the difference',
        description:
          '`byMethod` is what was taken (payments and top-ups; the float excluded), `refunds` what was paid back at the desk; ' +
          '`expectedCash` = opening cash + cash in − cash out; `difference` = counted − expected, and needs a `reason` when not zero. ' +
          "`handedOverCash` (default 0) stays in the drawer for the next shift. The shift's own staff member or a manager closes it; a second close answers the first.",
        params: IdParams,
        body: Type.Object(
          {
            countedCash: Fen('cash counted in the drawer, the float included'),
            reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
            handedOverCash: Type.Optional(Fen('cash left in the drawer for the next shift')),
          },
          { additionalProperties: false },
        ),
        response: replies({
          200: Type.Object({
            shiftId: Type.String(),
            staffId: Type.String(),
            totals: Type.Object({ byMethod: ByMethod, refunds: ByMethod }),
            openingCash: Type.Integer(),
            expectedCash: Type.Integer(),
            countedCash: Type.Integer(),
            difference: Type.Integer(),
            reason: Type.Union([Type.String(), Type.Null()]),
            handedOverCash: Type.Integer(),
            closedAt: Type.String(),
            currency: Type.Literal('CNY'),
          }),
        }),
      },
    },
    async (request) => {
      const { userId, roles } = principalOf(request);
      const shiftId = request.params.id;
      const staffId = staffOfShift(shiftId);
      if (!staffId) throw new NotFoundError('shift', shiftId);
      if (staffId !== userId && !allows(roles, 'shift:manage')) throw new NotFoundError('shift', shiftId);
      const { state } = await handle(
        ctx.store,
        tillStream(staffId),
        tillDecider,
        {
          type: 'Close',
          shiftId,
          countedCash: request.body.countedCash,
          reason: request.body.reason ?? null,
          handedOverCash: request.body.handedOverCash ?? 0,
          now: ctx.clock(),
        },
        metadataOf(request),
      );
      const closed = state.closed.get(shiftId);
      if (!closed) throw new Error('shift close not recorded');
      return closeAnswer(closed);
    },
  );
};

async function closedShift(store: EventStore, shiftId: string): Promise<ClosedShift> {
  const staffId = staffOfShift(shiftId);
  const closed = staffId ? (await load(store, tillStream(staffId), tillDecider)).state.closed.get(shiftId) : undefined;
  if (!closed)
    throw new UnprocessableError('handover_not_found', 'No closed shift by that id to take over from.', { field: 'takeOverFrom' });
  return closed;
}
