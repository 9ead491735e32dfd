import { sql, type Kysely } from 'kysely';

/**
 * The `analyst` schema: masked views of the read models that hold personal data, and the funnel,
 * cohorts, demand and cancellation views (src/db/analysts.ts builds them whenever `rm` views
 * switch). `analyst_marker` tells that code the schema is set up. Grants need the role, which
 * 0004 may have failed to create: then the notice says so and the operator grants by hand.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS analyst`.execute(db);
  await sql`CREATE VIEW analyst.analyst_marker AS SELECT 1 AS version`.execute(db);
  await sql`
    DO $$
    BEGIN
      GRANT USAGE ON SCHEMA analyst TO ktv_analyst;
      ALTER DEFAULT PRIVILEGES IN SCHEMA analyst GRANT SELECT ON TABLES TO ktv_analyst;
      GRANT SELECT ON ALL TABLES IN SCHEMA analyst TO ktv_analyst;
    EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
      RAISE NOTICE 'analyst schema not granted to ktv_analyst';
    END $$`.execute(db);
}
