import { Type } from '@sinclair/typebox';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { SALES } from '../projections/ledger/journal.js';
import { ValidationError } from '../src/errors.js';
import { replies } from '../src/http/schemas.js';
import type { DynamicFacts } from '../domain/pricing/dynamic.js';

/**
 * What a quote needs to price as a hold would, from `rm.*`: the switch, the
 * heat recorded for the business date, the experiment the switch names.
 */
export async function dynamicFactsOf(db: Kysely<ReadModels>, businessDate: string): Promise<DynamicFacts> {
  const [sw, heat] = await Promise.all([
    db.selectFrom('dynamic_pricing').select(['enabled', 'experiment_id']).where('id', '=', 1).executeTakeFirst(),
    db
      .selectFrom('demand_heat')
      .select(['room_type_id', 'heat', 'model_version', 'recorded_at'])
      .where('business_date', '=', businessDate)
      .execute(),
  ]);
  const x = sw?.experiment_id
    ? await db.selectFrom('experiments').select(['id', 'status', 'arms']).where('id', '=', sw.experiment_id).executeTakeFirst()
    : undefined;
  const first = heat[0];
  return {
    enabled: sw?.enabled ?? true,
    snapshot: first
      ? {
          modelVersion: first.model_version,
          at: first.recorded_at.toISOString(),
          heat: Object.fromEntries(heat.map((h) => [h.room_type_id, h.heat])),
        }
      : null,
    experiment: x ? { id: x.id, running: x.status === 'running', arms: x.arms } : null,
  };
}

/**
 * The dynamic uplift inside the revenue of a period, per group key: each booking
 * with sales in the period counts its recorded `price.dynamic.uplift` where its
 * sales land (prices without a dynamic part count 0).
 */
export async function dynamicUpliftBy(db: Kysely<ReadModels>, from: string, to: string, group: RawBuilder<unknown>) {
  const { rows } = await sql<{ key: string; uplift: number }>`
    WITH sold AS (
      SELECT DISTINCT ${group} AS key, booking_id FROM rm.journal_lines
      WHERE business_date BETWEEN ${from}::date AND ${to}::date AND ${SALES})
    SELECT s.key, coalesce(sum((b.price -> 'dynamic' ->> 'uplift')::bigint), 0)::float8 AS uplift
    FROM sold s JOIN rm.bookings b USING (booking_id) GROUP BY 1`.execute(db);
  return new Map(rows.map((r) => [r.key, r.uplift]));
}

const BusinessDate = Type.String({ format: 'date', description: 'A business date, YYYY-MM-DD' });

/** Holds of a period by how dynamic pricing priced them: per experiment arm and status, from `rm.bookings`. */
export async function dynamicPricingReport(db: Kysely<ReadModels>, from: string, to: string) {
  const { rows } = await sql<{
    arm: string | null;
    status: string;
    bookings: number;
    paid: number;
    baseTotal: number;
    total: number;
    uplift: number;
    heat: number | null;
  }>`
    SELECT price -> 'dynamic' -> 'experiment' ->> 'arm' AS arm, price -> 'dynamic' ->> 'status' AS status,
           count(*)::int AS bookings,
           count(*) FILTER (WHERE b.status IN ('confirmed', 'checked_in', 'checked_out', 'no_show'))::int AS paid,
           sum((price -> 'dynamic' ->> 'baseTotal')::bigint)::float8 AS "baseTotal",
           sum(price_total)::float8 AS total,
           sum((price -> 'dynamic' ->> 'uplift')::bigint)::float8 AS uplift,
           round(avg((price -> 'dynamic' ->> 'heat')::numeric), 3)::float8 AS heat
    FROM rm.bookings b
    WHERE business_date BETWEEN ${from}::date AND ${to}::date AND NOT walk_in AND jsonb_typeof(price -> 'dynamic') = 'object'
    GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2`.execute(db);
  return { from, to, rows, currency: 'CNY' as const };
}

export const dynamicPricingQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (
  app,
  { readModels },
) => {
  app.get(
    '/reports/dynamic-pricing',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['pricing'],
        summary: 'Holds priced under a dynamic rule, by experiment arm and outcome: count, paid, base price, price and uplift',
        description:
          '`status` is `applied` (the multiplier counted), `switched_off`, `no_forecast` or `off_arm`; `arm` is null outside an experiment. ' +
          'By business date of the stay; amounts in fen.',
        querystring: Type.Object({ from: BusinessDate, to: BusinessDate }, { additionalProperties: false }),
        response: replies({
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            rows: Type.Array(
              Type.Object({
                arm: Type.Union([Type.String(), Type.Null()]),
                status: Type.String(),
                bookings: Type.Integer(),
                paid: Type.Integer({ description: 'Of those, paid (confirmed, used or forfeited)' }),
                baseTotal: Type.Integer(),
                total: Type.Integer(),
                uplift: Type.Integer(),
                heat: Type.Union([Type.Number(), Type.Null()], { description: 'Mean heat of the stays' }),
              }),
            ),
            currency: Type.Literal('CNY'),
          }),
        }),
      },
    },
    async (request) => {
      const { from, to } = request.query;
      if (from > to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
      return dynamicPricingReport(readModels, from, to);
    },
  );
};
