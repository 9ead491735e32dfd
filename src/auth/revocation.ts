import type { PlatformDatabase } from '../db/schema.js';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';

export type RevocationReason =
  'logout' | 'logout_all' | 'evicted' | 'refresh_reuse' | 'ended_by_user' | 'roles_changed' | 'account_disabled' | 'password_reset';

/**
 * Sessions whose access tokens must stop working before they expire. Checked on
 * every authenticated request: Redis when configured (shared by all instances),
 * else held in the process and backed by PostgreSQL, so it also holds across restarts.
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

/**
 * Without Redis there is one API process (see the README), so the whole list
 * lives in it: loaded from PostgreSQL on first use (restarts keep it) and
 * written through on every revocation. A check is then a map lookup, not a query.
 */
export class PostgresRevocationList implements RevocationList {
  private readonly revoked = new Map<string, { reason: RevocationReason; until: number }>();
  private loaded: Promise<void> | null = null;

  constructor(private readonly db: Kysely<PlatformDatabase>) {}

  async revoke(sessionId: string, reason: RevocationReason, ttlSeconds: number): Promise<void> {
    await this.load();
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    await this.db
      .insertInto('revoked_sessions')
      .values({ session_id: sessionId, reason, expires_at: expiresAt })
      .onConflict((oc) => oc.column('session_id').doNothing())
      .execute();
    if (!this.revoked.has(sessionId)) this.revoked.set(sessionId, { reason, until: expiresAt.getTime() });
    // Tokens of a session revoked long enough ago have expired: their entries can go.
    const now = Date.now();
    for (const [id, r] of this.revoked) if (r.until < now) this.revoked.delete(id);
  }

  async reasonFor(sessionId: string): Promise<RevocationReason | null> {
    await this.load();
    return this.revoked.get(sessionId)?.reason ?? null;
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      const rows = await this.db
        .selectFrom('revoked_sessions')
        .select(['session_id', 'reason', 'expires_at'])
        .where('expires_at', '>', new Date())
        .execute();
      for (const r of rows)
        this.revoked.set(r.session_id, { reason: r.reason as RevocationReason, until: new Date(r.expires_at).getTime() });
    })().catch((err) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }
}
