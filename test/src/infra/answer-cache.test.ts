import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import pg from 'pg';
import { loadConfig } from '../../../src/config.js';
import { connectRedis } from '../../../src/infra/redis.js';
import { AnswerCache, ALL_SCOPES } from '../../../src/infra/answer-cache.js';
import { testDatabase } from '../../helpers/database.js';
import { until } from '../../helpers/until.js';

const redisUrl = loadConfig(process.env).redisUrl;
const CHANNEL = 'test_answers';

async function suite(t: Test, withRedis: boolean) {
  const databaseUrl = await testDatabase(t);
  const redis = withRedis && redisUrl ? await connectRedis(redisUrl) : null;
  const cache = new AnswerCache({ ttlMs: 60_000, maxEntries: 100, redis, name: `t${Date.now()}`, databaseUrl, deploymentId: randomUUID() });
  await cache.listen(CHANNEL);
  const notifier = new pg.Client({ connectionString: databaseUrl });
  await notifier.connect();
  t.teardown(async () => {
    await cache.close();
    await notifier.end();
    redis?.disconnect();
  });

  let computed = 0;
  const value = () => cache.get('2026-12-24', 'q', async () => ({ n: ++computed }));
  t.same(await value(), { n: 1 });
  t.same(await value(), { n: 1 }, 'the second ask is answered from the cache');

  const stale = async () => (await value()).n;
  // Notifications from one session arrive in the order sent: once the one after it has been
  // heard (its own scope's answer went stale), the one for another date has been too.
  let probes = 0;
  const probe = () => cache.get('probe', 'q', async () => ++probes);
  await probe();
  await notifier.query(`SELECT pg_notify($1, '2026-12-25')`, [CHANNEL]);
  await notifier.query(`SELECT pg_notify($1, 'probe')`, [CHANNEL]);
  t.ok(await until(async () => (await probe()) === 2), 'the notifications were heard');
  t.equal(await stale(), 1, 'a change to another business date leaves it');

  for (const scope of ['2026-12-24', ALL_SCOPES]) {
    const before = computed;
    await notifier.query(`SELECT pg_notify($1, $2)`, [CHANNEL, scope]);
    let now = before;
    await until(async () => (now = await stale()) !== before);
    t.equal(now, before + 1, `a NOTIFY of ${scope} makes it stale`);
  }

  // An answer whose query was running while a change landed is not kept for later.
  let release: (() => void) | undefined;
  const slow = cache.get('2026-12-24', 'slow', () => new Promise<string>((r) => (release = () => r('before the change'))));
  await until(() => release !== undefined); // the query is running
  await cache.invalidate('2026-12-24');
  release!();
  t.equal(await slow, 'before the change', 'the caller still gets its answer');
  t.equal(await cache.get('2026-12-24', 'slow', async () => 'after the change'), 'after the change', 'the next caller does not');

  // Past its freshness an answer is served once more while a refresh runs, then the refreshed one.
  // Time is moved on by hand. Redis also drops entries after twice the freshness by its own clock,
  // so the freshness is a minute: real time never gets that far during the test.
  const ttlMs = 60_000;
  let now = new Date('2026-12-24T12:00:00Z');
  const brief = new AnswerCache({
    ttlMs,
    maxEntries: 10,
    redis,
    name: `brief${Date.now()}`,
    databaseUrl,
    deploymentId: randomUUID(),
    clock: () => now,
  });
  const later = (ms: number) => (now = new Date(now.getTime() + ms));
  let runs = 0;
  const ask = () => brief.get('d', 'k', async () => ++runs);
  t.equal(await ask(), 1);
  later(ttlMs - 1);
  t.equal(await ask(), 1, 'fresh until its time is up, no refresh');
  t.equal(runs, 1);
  later(1);
  t.equal(await ask(), 1, 'stale, still served, refresh started');
  await brief.idle();
  t.equal(await ask(), 2, 'the refreshed answer');
  t.equal(runs, 2, 'one refresh');
  later(2 * ttlMs);
  t.equal(await ask(), 3, 'past twice its freshness it is gone and computed on the spot');
}

t.test('in-process answers', (t) => suite(t, false));
t.test('answers in Redis', { skip: redisUrl ? false : 'REDIS_URL not set' }, (t) => suite(t, true));
