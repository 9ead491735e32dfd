import type { PlatformDatabase } from '../db/schema.js';
import { sql, type Kysely } from 'kysely';
import { RETENTION_MS } from '../idempotency/store.js';

/** Deletes what has outlived its use: replayable responses, revocations of expired tokens, stale OAuth states. */
export async function sweepExpired(db: Kysely<PlatformDatabase>): Promise<void> {
  await sql`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => ${RETENTION_MS / 1000})`.execute(db);
  await sql`DELETE FROM revoked_sessions WHERE expires_at < now()`.execute(db);
  await sql`DELETE FROM oauth_states WHERE created_at < now() - interval '1 hour'`.execute(db);
}
