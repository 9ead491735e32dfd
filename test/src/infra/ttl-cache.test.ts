import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config.js';
import { connectRedis } from '../../../src/infra/redis.js';
import { createTtlCache } from '../../../src/infra/ttl-cache.js';
import { until } from '../../helpers/until.js';

const redisUrl = loadConfig(process.env).redisUrl;

async function suite(t: Test, withRedis: boolean) {
  const redis = withRedis && redisUrl ? await connectRedis(redisUrl) : null;
  t.teardown(() => redis?.disconnect());
  const cache = createTtlCache(redis, `test:${randomUUID()}:`, 2);
  t.equal(await cache.get('a'), undefined, 'a miss');
  await cache.set('a', { items: [1, 2] }, 60);
  t.same(await cache.get('a'), { items: [1, 2] }, 'a hit, as stored');
  await cache.set('short', 'x', 1);
  t.equal(
    await until(async () => (await cache.get('short')) === undefined, { timeoutMs: 5000, intervalMs: 100 }),
    true,
    'gone after its time',
  );
  if (!redis) {
    await cache.set('b', 1, 60);
    await cache.set('c', 1, 60);
    t.equal(await cache.get('a'), undefined, 'the process keeps a bounded number, dropping the oldest');
  }
}

t.test('in the process', (t) => suite(t, false));
t.test('in Redis', { skip: redisUrl ? false : 'no REDIS_URL' }, (t) => suite(t, true));
