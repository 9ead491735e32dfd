import { sql, type Kysely } from 'kysely';

/**
 * Behaviour that is not a business fact (searches, recommendation impressions
 * and clicks, experiment exposures and conversions): append-only rows with a
 * retention period, kept out of the event store. Analysts may read it.
 * Beside it, the recommender's nightly model: derived from read models, rebuilt
 * whole, so one row (the newest) is all there is to keep.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE analytics_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL,
      occurred_at timestamptz NOT NULL,
      user_id text,
      experiment_id text,
      arm text,
      item text,
      props jsonb NOT NULL DEFAULT '{}'
    )`.execute(db);
  await sql`CREATE INDEX analytics_events_by_experiment ON analytics_events (experiment_id, kind, user_id) WHERE experiment_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX analytics_events_by_time ON analytics_events (occurred_at)`.execute(db);
  await sql`
    CREATE TABLE recommender_models (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      built_at timestamptz NOT NULL,
      model jsonb NOT NULL
    )`.execute(db);
  await sql`
    DO $$
    BEGIN
      GRANT SELECT ON analytics_events TO ktv_analyst;
    EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
      RAISE NOTICE 'analytics_events not granted to ktv_analyst';
    END $$`.execute(db);
}
