import type { PlatformDatabase } from '../db/schema.js';
import { sql, type Kysely } from 'kysely';
import { ABANDONED_MS, RETENTION_MS, type Claim, type IdempotencyStore, type StoredResponse } from './store.js';

export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Kysely<PlatformDatabase>) {}

  async claim(scope: string, key: string, requestHash: string): Promise<Claim> {
    // Insert, or take over a row that expired or was abandoned by a crashed request.
    const claimed = await sql<{ ok: number }>`
      INSERT INTO idempotency_keys (scope, key, request_hash, status)
      VALUES (${scope}, ${key}, ${requestHash}, 'pending')
      ON CONFLICT (scope, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status = 'pending', created_at = now(),
            response_code = NULL, response_body = NULL, response_type = NULL, response_headers = NULL
        WHERE idempotency_keys.created_at < now() - make_interval(secs => ${RETENTION_MS / 1000})
           OR (idempotency_keys.status = 'pending'
               AND idempotency_keys.created_at < now() - make_interval(secs => ${ABANDONED_MS / 1000}))
      RETURNING 1 AS ok`.execute(this.db);
    if (claimed.rows.length === 1) return { kind: 'claimed' };
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status', 'response_code', 'response_body', 'response_type', 'response_headers'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return this.claim(scope, key, requestHash); // released between our two statements
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status === 'pending') return { kind: 'pending' };
    return {
      kind: 'done',
      response: {
        status: row.response_code ?? 200,
        body: row.response_body ?? '',
        contentType: row.response_type ?? 'application/json',
        headers: row.response_headers ?? {},
      },
    };
  }

  async complete(scope: string, key: string, r: StoredResponse): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({
        status: 'done',
        response_code: r.status,
        response_body: r.body,
        response_type: r.contentType,
        response_headers: JSON.stringify(r.headers),
      })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }

  async release(scope: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('status', '=', 'pending')
      .execute();
  }
}
