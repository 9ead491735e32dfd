import { sql, type Kysely } from 'kysely';
import type { PlatformDatabase } from '../db/schema.js';

/**
 * What is recorded about behaviour that is not a business fact. Searches and
 * recommendation impressions and clicks feed the recommender and reports;
 * exposures and conversions are an experiment's outcomes.
 */
export type AnalyticsKind = PlatformDatabase['analytics_events']['kind'];

export type AnalyticsEvent = Readonly<{
  kind: AnalyticsKind;
  at: Date;
  userId?: string | null;
  experimentId?: string | null;
  arm?: string | null;
  item?: string | null;
  props?: Readonly<Record<string, unknown>>;
}>;

/** Appends analytics rows (one statement); never the event store. */
export async function recordAnalytics(db: Kysely<PlatformDatabase>, events: readonly AnalyticsEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('analytics_events')
    .values(
      events.map((e) => ({
        kind: e.kind,
        occurred_at: e.at,
        user_id: e.userId ?? null,
        experiment_id: e.experimentId ?? null,
        arm: e.arm ?? null,
        item: e.item ?? null,
        props: sql`${JSON.stringify(e.props ?? {})}::jsonb`,
      })),
    )
    .execute();
}

/** The retention job: rows older than `retentionDays` go. Returns how many. */
export async function sweepAnalytics(db: Kysely<PlatformDatabase>, retentionDays: number, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('analytics_events')
    .where('occurred_at', '<', new Date(now.getTime() - retentionDays * 86_400_000))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
