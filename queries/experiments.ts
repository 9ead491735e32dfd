import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import type { ExperimentsTable } from '../projections/experiments.js';
import type { PlatformDatabase } from '../src/db/schema.js';
import type { EventStore } from '../src/eventstore/port.js';
import { NotFoundError } from '../src/errors.js';
import { isUuid } from '../src/ids.js';
import { waitForProjection } from '../src/projections/lag.js';
import { IdParams, replies } from '../src/http/schemas.js';
import { sampleRatioCheck, twoProportionTest, wilsonInterval } from '../domain/experiments/stats.js';

/** What counts as converting, after the user's first exposure. */
const GOALS = ['any', 'click', 'hold', 'paid'] as const;
type Goal = (typeof GOALS)[number];

const READ_YOUR_WRITES_MS = 500;

const ArmReport = Type.Object({
  name: Type.String(),
  weight: Type.Number(),
  exposures: Type.Integer({ description: 'Distinct users exposed to this arm' }),
  conversions: Type.Integer({ description: 'Of those, users who converted after their first exposure' }),
  rate: Type.Number(),
  // An array of two, not a tuple: TypeBox writes tuples as draft-07 `items: [...]`, which OpenAPI 3.1 (JSON Schema 2020-12) reads otherwise.
  interval: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '95 % Wilson score interval of the rate: [low, high]' }),
});

const Report = Type.Object({
  experimentId: Type.String(),
  name: Type.String(),
  subject: Type.String(),
  status: Type.String(),
  goal: Type.Union(GOALS.map((g) => Type.Literal(g))),
  arms: Type.Array(ArmReport),
  comparisons: Type.Array(
    Type.Object({
      arm: Type.String(),
      against: Type.String(),
      difference: Type.Number({ description: "This arm's rate minus the first arm's" }),
      z: Type.Number(),
      pValue: Type.Number({ description: 'Two-proportion z-test, two-sided' }),
    }),
  ),
  sampleRatio: Type.Object({
    chiSquare: Type.Number(),
    pValue: Type.Number(),
    mismatch: Type.Boolean({ description: 'True when exposures do not fit the weights (p < 0.001): the split is suspect' }),
  }),
});

/**
 * Per arm, users exposed and users converted after their first exposure. A
 * conversion is a recorded `conversion` or `click` analytics row, or a booking
 * the user held (`hold`) or paid (`paid`) after it, from `rm.bookings`.
 */
async function armCounts(db: Kysely<PlatformDatabase>, experimentId: string, goal: Goal) {
  const recorded = goal === 'any' ? sql`c.kind IN ('conversion', 'click')` : goal === 'click' ? sql`c.kind = 'click'` : sql`false`;
  const booked =
    goal === 'any' || goal === 'hold'
      ? sql`true`
      : goal === 'paid'
        ? sql`b.status IN ('confirmed', 'checked_in', 'checked_out', 'no_show')`
        : sql`false`;
  const { rows } = await sql<{ arm: string; exposures: string; conversions: string }>`
    WITH exposed AS (
      SELECT user_id, arm, min(occurred_at) AS first_at
      FROM analytics_events WHERE experiment_id = ${experimentId} AND kind = 'exposure' AND user_id IS NOT NULL
      GROUP BY user_id, arm
    )
    SELECT e.arm, count(*) AS exposures,
           count(*) FILTER (WHERE
             EXISTS (SELECT 1 FROM analytics_events c
                     WHERE c.experiment_id = ${experimentId} AND c.user_id = e.user_id AND c.occurred_at >= e.first_at AND ${recorded})
             OR EXISTS (SELECT 1 FROM rm.bookings b
                        WHERE b.guest_id = e.user_id AND b.created_at >= e.first_at AND ${booked})
           ) AS conversions
    FROM exposed e GROUP BY e.arm`.execute(db);
  return new Map(rows.map((r) => [r.arm, { exposures: Number(r.exposures), conversions: Number(r.conversions) }]));
}

export function experimentReport(
  experiment: ExperimentsTable,
  counts: ReadonlyMap<string, { exposures: number; conversions: number }>,
  goal: Goal,
) {
  const arms = experiment.arms.map((a) => {
    const { exposures, conversions } = counts.get(a.name) ?? { exposures: 0, conversions: 0 };
    return {
      name: a.name,
      weight: a.weight,
      exposures,
      conversions,
      rate: exposures === 0 ? 0 : conversions / exposures,
      interval: wilsonInterval(conversions, exposures),
    };
  });
  const [control, ...others] = arms;
  const comparisons = control
    ? others.map((arm) => ({
        arm: arm.name,
        against: control.name,
        ...twoProportionTest(control.conversions, control.exposures, arm.conversions, arm.exposures),
      }))
    : [];
  return {
    experimentId: experiment.id,
    name: experiment.name,
    subject: experiment.subject,
    status: experiment.status,
    goal,
    arms,
    comparisons,
    sampleRatio: sampleRatioCheck(
      arms.map((a) => a.exposures),
      arms.map((a) => a.weight),
    ),
  };
}

export type ExperimentQueryContext = Readonly<{ readModels: Kysely<ReadModels>; db: Kysely<PlatformDatabase>; store: EventStore }>;

export const experimentQueries: FastifyPluginAsyncTypebox<ExperimentQueryContext> = async (app, ctx) => {
  const find = (id: string) => ctx.readModels.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst();
  app.get(
    '/experiments/:id/report',
    {
      config: { permission: 'experiment:write' },
      schema: {
        tags: ['smart'],
        summary: 'Per arm: exposures, conversions, rate with a 95 % Wilson interval; differences against the first arm; sample-ratio check',
        params: IdParams,
        querystring: Type.Object({
          goal: Type.Optional(
            Type.Union(
              GOALS.map((g) => Type.Literal(g)),
              { default: 'any' },
            ),
          ),
        }),
        response: replies({ 200: Report }),
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isUuid(id)) throw new NotFoundError('experiment', id);
      let experiment = await find(id);
      if (!experiment) {
        // Created a moment ago, perhaps: give the projection a moment.
        await waitForProjection(ctx.db, ctx.store, 'experiments', READ_YOUR_WRITES_MS);
        experiment = await find(id);
      }
      if (!experiment) throw new NotFoundError('experiment', id);
      const goal = request.query.goal ?? 'any';
      return experimentReport(experiment, await armCounts(ctx.db, id, goal), goal);
    },
  );
};
