import { randomInt, randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { startTestService } from '../helpers/service.js';
import { call, type Reply } from '../helpers/http.js';
import { loadConfig } from '../../src/config.js';

const redisUrl = loadConfig(process.env).redisUrl;

/** A fresh client address, so runs sharing one Redis never see each other's counts. */
const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const login = (app: FastifyInstance, ip: string, email = `nobody-${randomUUID()}@test.ktv`) =>
  call(app, { method: 'POST', url: '/auth/login', remoteAddress: ip, payload: { email, password: 'not the password' } });

function isRateLimited(t: Test, r: Reply, windowSeconds: number) {
  t.equal(r.status, 429);
  t.match(String(r.headers['content-type']), /^application\/problem\+json/);
  t.match(r.body, {
    type: 'https://ktv.example/problems/rate_limited',
    title: 'Too Many Requests',
    status: 429,
    code: 'rate_limited',
    instance: '/auth/login',
  });
  const retry = Number(r.headers['retry-after']);
  t.ok(retry >= 1 && retry <= windowSeconds, `Retry-After ${String(r.headers['retry-after'])}`);
  t.equal(r.body.retryAfter, retry, 'the body says the same wait');
}

t.test('without Redis: per-IP limit in the process, problem+json, only on the routes that opt in', async (t) => {
  const { app } = await startTestService(t, { env: { LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '2' } });
  const ip = someIp();
  const tries = [await login(app, ip), await login(app, ip), await login(app, ip)];
  t.same(
    tries.map((r) => r.status),
    [401, 401, 429],
  );
  isRateLimited(t, tries[2]!, 60);
  t.notOk(
    Object.keys(tries[0]!.headers).some((h) => h.startsWith('x-ratelimit')),
    'no extra headers under the limit',
  );

  t.equal((await login(app, someIp())).status, 401, 'another address has its own allowance');
  const oauth = [];
  for (let i = 0; i < 3; i++) oauth.push((await call(app, { method: 'GET', url: '/auth/oauth/nope/start', remoteAddress: ip })).status);
  t.same(oauth, [404, 404, 429], 'starting an OpenID sign-in is limited per IP too');
  const refresh = [];
  for (let i = 0; i < 3; i++)
    refresh.push((await call(app, { method: 'POST', url: '/auth/refresh', remoteAddress: ip, payload: { refreshToken: 'nope' } })).status);
  t.same(refresh, [401, 401, 401], 'refreshes have an allowance of their own');
  t.equal((await call(app, { method: 'GET', url: '/healthz', remoteAddress: ip })).status, 200);

  const other = await startTestService(t, { env: { LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '2' } });
  t.equal((await login(other.app, ip)).status, 401, 'without Redis each process counts alone (it is the only API node)');
});

t.test('sign-ups are limited per IP', async (t) => {
  const { app } = await startTestService(t, { env: { REGISTRATIONS_PER_IP_PER_MINUTE: '2' } });
  const ip = someIp();
  const register = (from: string) =>
    call(app, {
      method: 'POST',
      url: '/auth/register',
      remoteAddress: from,
      payload: { email: `new-${randomUUID()}@test.ktv`, password: 'correct horse battery', name: 'New guest' },
    });
  const tries = [await register(ip), await register(ip), await register(ip)];
  t.same(
    tries.map((r) => r.status),
    [201, 201, 429],
  );
  t.match(tries[2]!.body, { status: 429, code: 'rate_limited', instance: '/auth/register' });
  t.ok(Number(tries[2]!.headers['retry-after']) >= 1, 'with Retry-After');
  t.equal((await register(someIp())).status, 201, 'another address has its own allowance');
});

t.test('without Redis: failed logins per account, whatever the address', async (t) => {
  const { app } = await startTestService(t, { env: { LOGIN_FAILURES_PER_ACCOUNT: '2', LOGIN_FAILURE_WINDOW_SECONDS: '600' } });
  const email = `victim-${randomUUID()}@test.ktv`;
  const tries = [await login(app, someIp(), email), await login(app, someIp(), email.toUpperCase()), await login(app, someIp(), email)];
  t.same(
    tries.map((r) => r.status),
    [401, 401, 429],
    'the address is normalised before counting',
  );
  isRateLimited(t, tries[2]!, 600);
});

t.test('with Redis: two instances share the limits', { skip: redisUrl ? false : 'REDIS_URL not set' }, async (t) => {
  const env = { LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '3', LOGIN_FAILURES_PER_ACCOUNT: '2', LOGIN_FAILURE_WINDOW_SECONDS: '600' };
  const a = await startTestService(t, { redis: true, env });
  const b = await startTestService(t, { redis: true, env });
  t.ok(a.platform.redis && b.platform.redis, 'both instances use Redis');

  const ip = someIp();
  const perIp = [await login(a.app, ip), await login(b.app, ip), await login(a.app, ip), await login(b.app, ip), await login(a.app, ip)];
  t.same(
    perIp.map((r) => r.status),
    [401, 401, 401, 429, 429],
    'three attempts per minute from one address, counted across both',
  );
  isRateLimited(t, perIp[3]!, 60);

  const email = `victim-${randomUUID()}@test.ktv`;
  const perAccount = [await login(a.app, someIp(), email), await login(b.app, someIp(), email), await login(a.app, someIp(), email)];
  t.same(
    perAccount.map((r) => r.status),
    [401, 401, 429],
    'two failures per account, counted across both',
  );
  isRateLimited(t, perAccount[2]!, 600);
});
