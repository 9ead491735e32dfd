import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { startTestService } from '../helpers/service.js';
import { call, type Reply } from '../helpers/http.js';
import { PASSWORD, signUp } from '../helpers/auth.js';
import { loadConfig } from '../../src/config.js';
import { delayMs } from '../../src/auth/login-failures.js';

const redisUrl = loadConfig(process.env).redisUrl;

/** A fresh client address, so runs sharing one Redis never see each other's counts. */
const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const login = (app: FastifyInstance, ip: string, email: string, password = 'not the password') =>
  call(app, { method: 'POST', url: '/auth/login', remoteAddress: ip, payload: { email, password } });

function waits(t: Test, r: Reply, seconds: number) {
  t.equal(r.status, 429);
  t.match(String(r.headers['content-type']), /^application\/problem\+json/);
  t.match(r.body, { status: 429, code: 'rate_limited', instance: '/auth/login' });
  t.equal(Number(r.headers['retry-after']), seconds, `Retry-After ${seconds}`);
  t.equal(r.body.retryAfter, seconds, 'the body says the same wait');
}

t.test('the wait doubles from the threshold on, up to its cap', async (t) => {
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 40].map((n) => delayMs(n, 3, 1, 8)),
    [0, 0, 1000, 2000, 4000, 8000, 8000, 8000],
  );
  t.equal(delayMs(10_000, 1, 2, 900), 900_000, 'no overflow after many failures');
});

t.test('someone failing from one address does not keep the owner out from theirs', async (t) => {
  const { app, platform } = await startTestService(t);
  const victim = await signUp(app, platform.store, 'guest');
  const attacker = someIp();
  const tries: number[] = [];
  for (let i = 0; i < 20; i++) tries.push((await login(app, attacker, victim.email)).status);
  t.same(tries.slice(0, 5), [401, 401, 401, 401, 401], 'five free failures from that address');
  t.equal(tries[5], 429, 'then that address waits');
  t.ok(tries.filter((s) => s === 401).length <= 7, `later failures only as each wait ends: ${tries.join(' ')}`);
  t.equal((await login(app, attacker, victim.email, PASSWORD)).status, 429, 'even the right password waits at that address');

  const own = await login(app, someIp(), victim.email, PASSWORD);
  t.equal(own.status, 200, 'the owner signs in at once from another address');
});

t.test('failures from many addresses slow the account briefly, never lock it', async (t) => {
  const { app, platform } = await startTestService(t, { env: { LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_ACCOUNT_DELAY_MAX_SECONDS: '1' } });
  const victim = await signUp(app, platform.store, 'guest');
  const spread = [];
  for (let i = 0; i < 3; i++) spread.push((await login(app, someIp(), victim.email)).status);
  t.same(spread, [401, 401, 401]);
  waits(t, await login(app, someIp(), victim.email, PASSWORD), 1);
  await sleep(1100);
  t.equal((await login(app, someIp(), victim.email, PASSWORD)).status, 200, 'in after the short wait');
});

t.test('each failure past the threshold doubles Retry-After', async (t) => {
  const { app, platform } = await startTestService(t, { env: { LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '2' } });
  const { email } = await signUp(app, platform.store, 'guest');
  const ip = someIp();
  t.same([(await login(app, ip, email)).status, (await login(app, ip, email)).status], [401, 401]);
  waits(t, await login(app, ip, email), 1);
  await sleep(1100);
  t.equal((await login(app, ip, email)).status, 401, 'tried again once the wait is over');
  waits(t, await login(app, ip, email), 2);
  await sleep(2100);
  t.equal((await login(app, ip, email)).status, 401);
  waits(t, await login(app, ip, email), 4);
});

t.test('a success clears that address’s failures for the account', async (t) => {
  const { app, platform } = await startTestService(t, { env: { LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '3' } });
  const { email } = await signUp(app, platform.store, 'guest');
  const ip = someIp();
  const statuses = [];
  for (const password of ['x', 'x', PASSWORD, 'x', 'x', 'x', 'x']) statuses.push((await login(app, ip, email, password)).status);
  t.same(statuses, [401, 401, 200, 401, 401, 401, 429], 'counted afresh after the success');
});

t.test('with Redis: two instances count failures together', { skip: redisUrl ? false : 'REDIS_URL not set' }, async (t) => {
  const env = { LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '2' };
  const a = await startTestService(t, { redis: true, env });
  const b = await startTestService(t, { redis: true, env });
  const { email } = await signUp(a.app, a.platform.store, 'guest');
  const ip = someIp();
  t.same([(await login(a.app, ip, email)).status, (await login(b.app, ip, email)).status], [401, 401]);
  waits(t, await login(a.app, ip, email, PASSWORD), 1);
  waits(t, await login(b.app, ip, email), 1);
  t.equal((await login(a.app, someIp(), email, PASSWORD)).status, 200, 'another address is not held');
  await sleep(1100);
  t.equal((await login(a.app, ip, email, PASSWORD)).status, 200, 'the right password after the wait');
  const after = [(await login(b.app, ip, email)).status, (await login(a.app, ip, email)).status];
  t.same(after, [401, 401], 'and the success cleared that address’s count on both instances');
  waits(t, await login(b.app, ip, email), 1);
});
