import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { replies } from '../src/http/schemas.js';

export const ClosedPeriod = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  closedAt: Type.String({ format: 'date-time' }),
  closedBy: Type.String(),
});

type PeriodRow = {
  from: string;
  to: string;
  closedAt: string;
  closedBy: string;
  reopenedAt: string | null;
  reopenedBy: string | null;
  reason: string | null;
};

/** Periods as closed (and, with `history`, reopened), oldest first; `overlapping` keeps those touching from..to. */
export async function periods(db: Kysely<ReadModels>, options: { history?: boolean; overlapping?: { from: string; to: string } } = {}) {
  const { rows } = await sql<PeriodRow>`
    SELECT from_date::text AS "from", to_date::text AS "to", to_json(closed_at)#>>'{}' AS "closedAt", closed_by AS "closedBy",
           to_json(reopened_at)#>>'{}' AS "reopenedAt", reopened_by AS "reopenedBy", reopen_reason AS reason
    FROM rm.ledger_periods
    WHERE (${options.history ?? false} OR reopened_at IS NULL)
      AND (${options.overlapping?.from ?? null}::date IS NULL OR (from_date <= ${options.overlapping?.to ?? null}::date AND ${options.overlapping?.from ?? null}::date <= to_date))
    ORDER BY from_date, closed_at`.execute(db);
  return rows;
}

/** Closed periods touching from..to, as reports list them. */
export const closedPeriodsIn = async (db: Kysely<ReadModels>, from: string, to: string) =>
  (await periods(db, { overlapping: { from, to } })).map(({ from, to, closedAt, closedBy }) => ({ from, to, closedAt, closedBy }));

export const ledgerPeriodQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, ctx) => {
  app.get(
    '/ledger/periods',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['ledger'],
        summary: 'The closed periods; with `history=true` also the reopened ones, with who reopened them and why',
        querystring: Type.Object({ history: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: replies({
          200: Type.Array(
            Type.Composite([
              ClosedPeriod,
              Type.Object({
                reopenedAt: Type.Optional(Type.String({ format: 'date-time' })),
                reopenedBy: Type.Optional(Type.String()),
                reason: Type.Optional(Type.String()),
              }),
            ]),
          ),
        }),
      },
    },
    async (request) =>
      (await periods(ctx.readModels, { history: request.query.history })).map(({ reopenedAt, reopenedBy, reason, ...p }) => ({
        ...p,
        ...(reopenedAt ? { reopenedAt, reopenedBy: reopenedBy ?? '', reason: reason ?? '' } : {}),
      })),
  );
};
