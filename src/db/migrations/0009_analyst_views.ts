import { sql, type Kysely } from 'kysely';
import type { PlatformDatabase } from '../schema.js';
import { ANALYST_VIEWS, PRIVATE_READ_MODELS, refreshAnalystViews } from '../analysts.js';

/**
 * The `analyst` schema: masked views of the read models that hold personal data, and the funnel,
 * cohorts, demand and cancellation views (src/db/analysts.ts builds them whenever `rm` views
 * switch). `analyst_marker` tells that code the schema is set up. Grants need the role, which
 * 0004 may have failed to create: then the notice says so and the operator grants by hand.
 * On a database that already serves, the private `rm` views are taken from the role at once
 * rather than at their next rebuild.
 */
export async function up(db: Kysely<PlatformDatabase>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS analyst`.execute(db);
  await sql`CREATE OR REPLACE VIEW analyst.analyst_marker AS SELECT 1 AS version`.execute(db);
  await sql`
    DO $$
    BEGIN
      GRANT USAGE ON SCHEMA analyst TO ktv_analyst;
      ALTER DEFAULT PRIVILEGES IN SCHEMA analyst GRANT SELECT ON TABLES TO ktv_analyst;
      GRANT SELECT ON ALL TABLES IN SCHEMA analyst TO ktv_analyst;
    EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
      RAISE NOTICE 'analyst schema not granted to ktv_analyst';
    END $$`.execute(db);
  const over = Object.values(ANALYST_VIEWS).flatMap((v) => v.needs.map((n) => n.replace(/^rm\./, '')));
  await refreshAnalystViews(db, [...new Set([...over, ...PRIVATE_READ_MODELS])]);
}
