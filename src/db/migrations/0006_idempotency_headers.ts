import { sql, type Kysely } from 'kysely';

/** A replayed answer carries the headers its first answer decided (Event-Position, Location), so they are kept with it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS response_headers jsonb`.execute(db);
}
