import type { Redis } from 'ioredis';

/** Values kept for a while under a key: in Redis (shared by every instance) when configured, else in this process. */
export interface TtlCache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
}

class LocalTtlCache implements TtlCache {
  private readonly entries = new Map<string, { until: number; value: unknown }>();
  constructor(private readonly maxEntries: number) {}

  async get<T>(key: string): Promise<T | undefined> {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until > Date.now()) return hit.value as T;
    this.entries.delete(key);
    return undefined;
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { until: Date.now() + ttlSeconds * 1000, value });
    // Maps keep insertion order: the first key is the oldest written.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

class RedisTtlCache implements TtlCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.prefix + key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, JSON.stringify(value), 'EX', ttlSeconds);
  }
}

export function createTtlCache(redis: Redis | null, prefix: string, maxLocalEntries = 10_000): TtlCache {
  return redis ? new RedisTtlCache(redis, prefix) : new LocalTtlCache(maxLocalEntries);
}
