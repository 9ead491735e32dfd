import { randomInt } from 'node:crypto';
import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { loadConfig } from '../../src/config.js';

const redisUrl = loadConfig(process.env).redisUrl;

/** A fresh client address, so runs sharing one Redis never see each other's counts. */
const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

t.test('commands: one allowance per signed-in user across every command route', async (t) => {
  const { app, platform } = await startTestService(t, { env: { COMMANDS_PER_CALLER_PER_MINUTE: '3' } });
  const guest = await signUp(app, platform.store, 'guest');
  const other = await signUp(app, platform.store, 'guest');
  const ip = someIp();
  const patchMe = (headers: Record<string, string>, from = ip) =>
    call(app, { method: 'PATCH', url: '/me', remoteAddress: from, headers, payload: { name: 'Renamed' } });

  const first = [await patchMe(guest.auth), await patchMe(guest.auth), await patchMe(guest.auth)];
  t.notOk(
    first.some((r) => r.status === 429),
    `three commands go through: ${first.map((r) => r.status).join(' ')}`,
  );
  const over = await patchMe(guest.auth);
  t.equal(over.status, 429);
  t.match(String(over.headers['content-type']), /^application\/problem\+json/);
  t.match(over.body, { status: 429, code: 'rate_limited', instance: '/me' });
  const retry = Number(over.headers['retry-after']);
  t.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  t.equal(over.body.retryAfter, retry);

  const cancel = await call(app, { method: 'POST', url: '/bookings/nope/cancel', remoteAddress: ip, headers: guest.auth, payload: {} });
  t.equal(cancel.status, 429, 'another command route shares the allowance');
  t.equal((await patchMe(guest.auth, someIp())).status, 429, 'counted per user, whatever the address');
  t.not((await call(app, { method: 'GET', url: '/me', remoteAddress: ip, headers: guest.auth })).status, 429, 'reads are not limited');
  t.not((await patchMe(other.auth)).status, 429, 'another user from the same address has their own allowance');
});

t.test('commands: anonymous callers are counted per address; sign-in has its own limits', async (t) => {
  const { app } = await startTestService(t, { env: { COMMANDS_PER_CALLER_PER_MINUTE: '2', REFRESHES_PER_IP_PER_MINUTE: '2' } });
  const ip = someIp();
  const complete = (from: string) => call(app, { method: 'POST', url: '/payments/sandbox/nope/complete', remoteAddress: from });
  const statuses = [(await complete(ip)).status, (await complete(ip)).status, (await complete(ip)).status];
  t.not(statuses[0], 429);
  t.not(statuses[1], 429);
  t.equal(statuses[2], 429, 'the third anonymous command from one address');
  t.not((await complete(someIp())).status, 429, 'another address has its own allowance');

  const login = await call(app, {
    method: 'POST',
    url: '/auth/login',
    remoteAddress: ip,
    payload: { email: 'nobody@test.ktv', password: 'x' },
  });
  t.equal(login.status, 401, 'sign-in is not counted as a command');
  const refresh = [];
  for (let i = 0; i < 3; i++)
    refresh.push((await call(app, { method: 'POST', url: '/auth/refresh', remoteAddress: ip, payload: { refreshToken: 'nope' } })).status);
  t.same(refresh, [401, 401, 429], 'refresh is limited per address, by REFRESHES_PER_IP_PER_MINUTE');
});

t.test('with Redis: two instances share a caller’s allowance', { skip: redisUrl ? false : 'REDIS_URL not set' }, async (t) => {
  const env = { COMMANDS_PER_CALLER_PER_MINUTE: '2' };
  const a = await startTestService(t, { redis: true, env });
  const b = await startTestService(t, { redis: true, env });
  const ip = someIp();
  const complete = (app: typeof a.app) => call(app, { method: 'POST', url: '/payments/sandbox/nope/complete', remoteAddress: ip });
  const statuses = [(await complete(a.app)).status, (await complete(b.app)).status, (await complete(a.app)).status];
  t.equal(statuses[2], 429, `counted across both: ${statuses.join(' ')}`);
});
