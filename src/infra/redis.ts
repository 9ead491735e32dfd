import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for commands and caches; `lazyConnect` so a bad URL fails start-up, not later.
 * `keyPrefix` goes before every key it touches (not before pub/sub channels).
 */
export async function connectRedis(url: string, keyPrefix = ''): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true, keyPrefix });
  redis.on('error', () => {
    // ioredis reconnects by itself; commands issued meanwhile fail and surface where they are used.
  });
  await redis.connect();
  return redis;
}

/** Connection options from a redis:// or rediss:// URL, for clients (BullMQ) that take options, not URLs. */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number(u.pathname.slice(1) || 0),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** BullMQ's own key prefix (it refuses ioredis' `keyPrefix`): `bull`, after the deployment's prefix. */
export const bullPrefix = (keyPrefix: string): string => `${keyPrefix}bull`;
