import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';

export type RevocationReason = 'logout' | 'logout_all' | 'evicted' | 'refresh_reuse' | 'ended_by_user' | 'roles_changed';

/**
 * Sessions whose access tokens must stop working before they expire. Checked on
 * every authenticated request: Redis when configured (shared by all instances),
 * else PostgreSQL with an in-process cache, so it also holds across restarts.
 * Entries only need to outlive the longest access token.
 */
export interface RevocationList {
  revoke(sessionId: string, reason: RevocationReason, ttlSeconds: number): Promise<void>;
  reasonFor(sessionId: string): Promise<RevocationReason | null>;
}

export class RedisRevocationList implements RevocationList {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'ktv:revoked:',
  ) {}

  async revoke(sessionId: string, reason: RevocationReason, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + sessionId, reason, 'EX', Math.max(1, ttlSeconds));
  }

  async reasonFor(sessionId: string): Promise<RevocationReason | null> {
    return (await this.redis.get(this.prefix + sessionId)) as RevocationReason | null;
  }
}

export class PostgresRevocationList implements RevocationList {
  // Revocations are permanent for the token's life, so a positive answer can be cached; a negative one cannot.
  private readonly known = new Map<string, RevocationReason>();

  constructor(private readonly db: Kysely<any>) {}

  async revoke(sessionId: string, reason: RevocationReason, ttlSeconds: number): Promise<void> {
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    await this.db
      .insertInto('revoked_sessions')
      .values({ session_id: sessionId, reason, expires_at: expiresAt })
      .onConflict((oc) => oc.column('session_id').doNothing())
      .execute();
    this.known.set(sessionId, reason);
  }

  async reasonFor(sessionId: string): Promise<RevocationReason | null> {
    const cached = this.known.get(sessionId);
    if (cached) return cached;
    const row = await this.db.selectFrom('revoked_sessions').select('reason').where('session_id', '=', sessionId).executeTakeFirst();
    if (!row) return null;
    this.known.set(sessionId, row.reason as RevocationReason);
    return row.reason as RevocationReason;
  }
}
