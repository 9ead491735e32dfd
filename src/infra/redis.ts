import { Redis } from 'ioredis';

/** A Redis connection for commands and caches; `lazyConnect` so a bad URL fails start-up, not later. */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true });
  redis.on('error', () => {
    // ioredis reconnects by itself; commands issued meanwhile fail and surface where they are used.
  });
  await redis.connect();
  return redis;
}
