import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { IdParams, replies } from '../src/http/schemas.js';
import { ValidationError } from '../src/errors.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Correction = Type.Object({
  id: Type.String(),
  bookingId: Type.String(),
  businessDate: Nullable(Type.String()),
  roomId: Nullable(Type.String()),
  kind: Type.Union([Type.Literal('discount'), Type.Literal('comp'), Type.Literal('round_off')]),
  amount: Nullable(Type.Integer({ description: 'fen taken off; null while a request for a percent or a comp waits' })),
  percent: Nullable(Type.Integer()),
  reason: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('applied'), Type.Literal('declined')]),
  approval: Nullable(Type.Union([Type.Literal('manager'), Type.Literal('waiter_limit'), Type.Literal('request')])),
  requestedBy: Type.String(),
  requestedByName: Nullable(Type.String()),
  decidedBy: Nullable(Type.String({ description: 'who approved it (or declined the request)' })),
  decidedByName: Nullable(Type.String()),
  declineReason: Nullable(Type.String()),
  requestedAt: Type.String(),
  decidedAt: Nullable(Type.String()),
});

const BusinessDate = Type.String({ format: 'date', description: 'A business date, YYYY-MM-DD' });

/** Corrections with the names of who asked and who decided, their booking's business date and room. */
function corrections(db: Kysely<ReadModels>) {
  return db
    .selectFrom('bill_adjustments as a')
    .leftJoin('bookings as b', 'b.booking_id', 'a.booking_id')
    .leftJoin('users as asker', 'asker.id', 'a.requested_by')
    .leftJoin('users as decider', 'decider.id', 'a.decided_by')
    .select([
      'a.id',
      'a.booking_id',
      sql<string | null>`b.business_date::text`.as('business_date'),
      'b.room_id',
      'a.kind',
      'a.amount',
      'a.percent',
      'a.reason',
      'a.status',
      'a.approval',
      'a.requested_by',
      'asker.name as requested_by_name',
      'a.decided_by',
      'decider.name as decided_by_name',
      'a.decline_reason',
      'a.requested_at',
      'a.decided_at',
    ])
    .orderBy('a.requested_at')
    .orderBy('a.id');
}

type Row = Awaited<ReturnType<ReturnType<typeof corrections>['execute']>>[number];

const toCorrection = (r: Row) => ({
  id: r.id,
  bookingId: r.booking_id,
  businessDate: r.business_date,
  roomId: r.room_id,
  kind: r.kind,
  amount: r.amount === null ? null : Number(r.amount),
  percent: r.percent,
  reason: r.reason,
  status: r.status,
  approval: r.approval,
  requestedBy: r.requested_by,
  requestedByName: r.requested_by_name,
  decidedBy: r.decided_by,
  decidedByName: r.decided_by_name,
  declineReason: r.decline_reason,
  requestedAt: r.requested_at.toISOString(),
  decidedAt: r.decided_at?.toISOString() ?? null,
});

/** Adds up applied corrections by a key. */
function totalsBy<K extends string>(rows: readonly ReturnType<typeof toCorrection>[], key: (r: ReturnType<typeof toCorrection>) => K) {
  const sums = new Map<K, { count: number; amount: number }>();
  for (const r of rows) {
    if (r.status !== 'applied') continue;
    const s = sums.get(key(r)) ?? { count: 0, amount: 0 };
    sums.set(key(r), { count: s.count + 1, amount: s.amount + (r.amount ?? 0) });
  }
  return [...sums].map(([k, s]) => ({ key: k, ...s }));
}

const Totals = Type.Array(Type.Object({ key: Type.String(), count: Type.Integer(), amount: Type.Integer() }));

/** The corrections audit, from `rm.bill_adjustments`: one booking's for the desk, a period's for managers and accountants. */
export const adjustmentQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (
  app,
  { readModels: db },
) => {
  app.get(
    '/bookings/:id/adjustments',
    {
      config: { permission: 'booking:read' },
      schema: {
        tags: ['desk'],
        summary: 'A bill’s corrections and the requests for them, with who asked and who approved or declined',
        params: IdParams,
        response: replies({ 200: Type.Array(Correction) }),
      },
    },
    async (request) => (await corrections(db).where('a.booking_id', '=', request.params.id).execute()).map(toCorrection),
  );

  app.get(
    '/reports/adjustments',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['ledger'],
        summary: 'Corrections (discounts, comps, round-offs) of bookings of these business dates: who asked, who approved, why',
        description: 'Totals count applied corrections only, by kind and by who approved them.',
        querystring: Type.Object({ from: BusinessDate, to: BusinessDate }, { additionalProperties: false }),
        response: replies({
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            rows: Type.Array(Correction),
            byKind: Totals,
            byApprover: Totals,
            total: Type.Integer({ description: 'fen taken off by applied corrections' }),
            currency: Type.Literal('CNY'),
          }),
        }),
      },
    },
    async (request) => {
      const { from, to } = request.query;
      if (from > to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
      const rows = (await corrections(db).where('b.business_date', '>=', from).where('b.business_date', '<=', to).execute()).map(
        toCorrection,
      );
      const byKind = totalsBy(rows, (r) => r.kind);
      return {
        from,
        to,
        rows,
        byKind,
        byApprover: totalsBy(rows, (r) => r.decidedBy ?? ''),
        total: byKind.reduce((sum, k) => sum + k.amount, 0),
        currency: 'CNY' as const,
      };
    },
  );
};
