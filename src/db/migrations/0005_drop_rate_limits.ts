import { sql, type Kysely } from 'kysely';

/** Rate-limit windows are kept by @fastify/rate-limit now (Redis, or the process when there is no Redis), not in this table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS rate_limits`.execute(db);
}
