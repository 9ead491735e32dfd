import type { PlatformDatabase } from '../db/schema.js';
import { sql, type Kysely } from 'kysely';
import type { Redis } from 'ioredis';

export type Hit = Readonly<{ allowed: boolean; count: number; retryAfterSeconds: number }>;

/**
 * Fixed-window counters: `hit` counts one event under `key` and says whether
 * the window's limit still allows it. Redis when configured, so all instances
 * share the counts; PostgreSQL otherwise, so they survive restarts.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<Hit>;
  /** The state of a key without counting (to refuse early without burning an attempt). */
  peek(key: string, limit: number): Promise<Hit>;
  reset(key: string): Promise<void>;
}

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'ktv:rl:',
  ) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<Hit> {
    const k = this.prefix + key;
    const [[, count], [, ttl]] = (await this.redis.multi().incr(k).pttl(k).exec()) as [[null, number], [null, number]];
    if (ttl < 0) await this.redis.pexpire(k, windowSeconds * 1000);
    const retry = Math.ceil((ttl < 0 ? windowSeconds * 1000 : ttl) / 1000);
    return { allowed: count <= limit, count, retryAfterSeconds: retry };
  }

  async peek(key: string, limit: number): Promise<Hit> {
    const k = this.prefix + key;
    const [[, count], [, ttl]] = (await this.redis.multi().get(k).pttl(k).exec()) as [[null, string | null], [null, number]];
    const n = Number(count ?? 0);
    return { allowed: n < limit, count: n, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

export class PostgresRateLimiter implements RateLimiter {
  constructor(private readonly db: Kysely<PlatformDatabase>) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<Hit> {
    const { rows } = await sql<{ hits: number; retry: number }>`
      INSERT INTO rate_limits (key, hits, reset_at) VALUES (${key}, 1, now() + make_interval(secs => ${windowSeconds}))
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
        reset_at = CASE WHEN rate_limits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limits.reset_at END
      RETURNING hits, ceil(extract(epoch FROM reset_at - now()))::int AS retry`.execute(this.db);
    const row = rows[0]!;
    return { allowed: row.hits <= limit, count: row.hits, retryAfterSeconds: Math.max(1, row.retry) };
  }

  async peek(key: string, limit: number): Promise<Hit> {
    const { rows } = await sql<{ hits: number; retry: number }>`
      SELECT hits, ceil(extract(epoch FROM reset_at - now()))::int AS retry FROM rate_limits WHERE key = ${key} AND reset_at > now()`.execute(this.db);
    const n = rows[0]?.hits ?? 0;
    return { allowed: n < limit, count: n, retryAfterSeconds: Math.max(1, rows[0]?.retry ?? 1) };
  }

  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', key).execute();
  }
}
