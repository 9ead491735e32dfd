import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { principalOf } from '../src/http/access.js';
import { allows } from '../src/auth/permissions.js';
import { replies } from '../src/http/schemas.js';
import { DESK_METHODS, type ByMethod } from '../src/events/shifts.js';
import { expectedCash } from '../domain/shifts/cash.js';

const ByMethodSchema = Type.Object({ cash: Type.Integer(), card: Type.Integer(), wechatpay: Type.Integer(), stored_value: Type.Integer() });
const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

const zero = (): Record<string, number> => Object.fromEntries(DESK_METHODS.map((m) => [m, 0]));

/**
 * Shifts as the desk sees them: a staff member's own (a manager's: anyone's), newest first. An
 * open shift shows what it has taken so far and the cash the drawer should hold now.
 */
export const shiftQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, { readModels: db }) => {
  app.get(
    '/shifts',
    {
      config: { permission: 'shift:open' },
      schema: {
        tags: ['shifts'],
        summary: "Shifts, newest first: the caller's own, or (managers) anyone's, `staffId` to choose",
        querystring: Type.Object(
          { staffId: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
          { additionalProperties: false },
        ),
        response: replies({
          200: Type.Array(
            Type.Object({
              shiftId: Type.String(),
              staffId: Type.String(),
              openedAt: Type.String(),
              openingCash: Type.Integer(),
              takenOverFrom: Nullable(Type.String()),
              status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
              totals: Type.Object({ byMethod: ByMethodSchema, refunds: ByMethodSchema }),
              expectedCash: Type.Integer(),
              closedAt: Nullable(Type.String()),
              countedCash: Nullable(Type.Integer()),
              difference: Nullable(Type.Integer()),
              reason: Nullable(Type.String()),
              handedOverCash: Nullable(Type.Integer()),
            }),
          ),
        }),
      },
    },
    async (request) => {
      const { userId, roles } = principalOf(request);
      const staffId = allows(roles, 'shift:manage') ? request.query.staffId : userId;
      let q = db
        .selectFrom('shifts')
        .selectAll()
        .orderBy('opened_at', 'desc')
        .limit(request.query.limit ?? 50);
      if (staffId) q = q.where('staff_id', '=', staffId);
      const shifts = await q.execute();
      const open = shifts.filter((s) => s.closed_at === null).map((s) => s.shift_id);
      const moves =
        open.length === 0
          ? []
          : await db
              .selectFrom('desk_movements')
              // Payments and top-ups are money taken; refunds money paid back.
              .select(['shift_id', 'method', sql<boolean>`kind = 'refund'`.as('out'), sql<number>`sum(amount)::float8`.as('amount')])
              .where('shift_id', 'in', open)
              .groupBy(['shift_id', 'method', sql`kind = 'refund'`])
              .execute();
      return shifts.map((s) => {
        let totals = s.totals;
        if (!totals) {
          const byMethod = zero();
          const refunds = zero();
          for (const m of moves.filter((m) => m.shift_id === s.shift_id)) (m.out ? refunds : byMethod)[m.method] = m.amount;
          totals = { byMethod: byMethod as ByMethod, refunds: refunds as ByMethod };
        }
        const opening = Number(s.opening_cash);
        return {
          shiftId: s.shift_id,
          staffId: s.staff_id,
          openedAt: s.opened_at.toISOString(),
          openingCash: opening,
          takenOverFrom: s.taken_over_from,
          status: s.closed_at ? ('closed' as const) : ('open' as const),
          totals,
          expectedCash: s.expected_cash === null ? expectedCash(opening, totals.byMethod, totals.refunds) : Number(s.expected_cash),
          closedAt: s.closed_at?.toISOString() ?? null,
          countedCash: s.counted_cash === null ? null : Number(s.counted_cash),
          difference: s.difference === null ? null : Number(s.difference),
          reason: s.reason,
          handedOverCash: s.handed_over_cash === null ? null : Number(s.handed_over_cash),
        };
      });
    },
  );
};
