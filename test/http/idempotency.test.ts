import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { loadConfig } from '../../src/config.js';

const redisConfigured = loadConfig(process.env).redisUrl !== undefined;

async function suite(t: Test, redis: boolean) {
  const { app, platform } = await startTestService(t, { redis });
  t.equal(platform.redis !== null, redis, redis ? 'keys in Redis' : 'keys in PostgreSQL');
  const { auth } = await signUp(app, platform.store, 'manager');
  const events = async () => (await platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;
  await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: auth,
    payload: { id: 'small', name: 'Small', minCapacity: 2, maxCapacity: 4 },
  });

  t.test('the same key and body replays the first response and appends nothing', async (t) => {
    const key = randomUUID();
    const payload = { name: 'S01', type: 'small', capacity: 4 };
    const first = await call(app, { method: 'POST', url: '/rooms', headers: { ...auth, 'idempotency-key': key }, payload });
    t.equal(first.status, 201);
    const after = await events();
    const again = await call(app, {
      method: 'POST',
      url: '/rooms',
      headers: { ...auth, 'idempotency-key': key },
      payload: { capacity: 4, type: 'small', name: 'S01' },
    });
    t.equal(again.status, 201);
    t.same(again.body, first.body, 'same room id');
    t.equal(again.headers['idempotent-replayed'], 'true');
    t.match(first.headers['event-position'], /^\d+:\d+$/, 'the first answer names the position of its events');
    t.equal(
      again.headers['event-position'],
      first.headers['event-position'],
      'and the replay names the same, so a retried client can still read its write',
    );
    t.equal(await events(), after, 'nothing appended by the replay');
  });

  t.test('the same key with another body is 422 idempotency_key_reused', async (t) => {
    const key = randomUUID();
    await call(app, {
      method: 'POST',
      url: '/rooms',
      headers: { ...auth, 'idempotency-key': key },
      payload: { name: 'S02', type: 'small', capacity: 4 },
    });
    const before = await events();
    const other = await call(app, {
      method: 'POST',
      url: '/rooms',
      headers: { ...auth, 'idempotency-key': key },
      payload: { name: 'S03', type: 'small', capacity: 4 },
    });
    t.equal(other.status, 422);
    t.equal(other.body.code, 'idempotency_key_reused');
    t.equal(await events(), before);
  });

  t.test('a refused request is replayed as refused', async (t) => {
    const key = randomUUID();
    const payload = { name: 'S04', type: 'small', capacity: 40 };
    const first = await call(app, { method: 'POST', url: '/rooms', headers: { ...auth, 'idempotency-key': key }, payload });
    t.equal(first.status, 422);
    const again = await call(app, { method: 'POST', url: '/rooms', headers: { ...auth, 'idempotency-key': key }, payload });
    t.equal(again.status, 422);
    t.same(again.body, first.body);
  });

  t.test('concurrent requests with one key have one effect and all get the same answer', async (t) => {
    const key = randomUUID();
    const before = await events();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(app, {
          method: 'POST',
          url: '/rooms',
          headers: { ...auth, 'idempotency-key': key },
          payload: { name: 'S05', type: 'small', capacity: 3 },
        }),
      ),
    );
    t.same(new Set(replies.map((r) => r.status)), new Set([201]));
    t.equal(new Set(replies.map((r) => r.body.id)).size, 1, 'one room id for all');
    t.equal(await events(), before + 1, 'exactly one event appended');
  });
}

t.test('idempotency keys in PostgreSQL', (t) => suite(t, false));
t.test('idempotency keys in Redis', { skip: redisConfigured ? false : 'REDIS_URL is not set' }, (t) => suite(t, true));
