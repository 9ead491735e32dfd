import { generateKeyPairSync, randomUUID } from 'node:crypto';
import t from 'tap';
import { createSigner } from 'fast-jwt';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { PASSWORD, signIn, signUp } from '../helpers/auth.js';
import { claimEmail } from '../../commands/users/register.js';
import { ABANDONED_CLAIM_MS } from '../../commands/users/email-claim.js';

const svc = await startTestService(t, {
  env: { LOGIN_FAILURES_PER_ACCOUNT: '3', SESSION_POLICY: 'guest=2,waiter=1,manager=3,accountant=3,admin=3' },
});
const { app, platform, runner } = svc;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

t.test('registration: 201, e-mail taken case-insensitively, password policy, bad input as 4xx', async (t) => {
  const email = `Ada.${randomUUID()}@Example.com`;
  const ok = await call(app, {
    method: 'POST',
    url: '/auth/register',
    payload: { email, password: 'a long enough secret', name: 'Ada', phone: '+86 138 0000 0000' },
  });
  t.equal(ok.status, 201);
  t.match(ok.body.userId, /^[0-9a-f-]{36}$/);
  const again = await call(app, {
    method: 'POST',
    url: '/auth/register',
    payload: { email: email.toUpperCase(), password: 'another long secret', name: 'Ada 2' },
  });
  t.equal(again.status, 409);
  t.equal(again.body.code, 'email_taken');
  const short = await call(app, {
    method: 'POST',
    url: '/auth/register',
    payload: { email: `b-${randomUUID()}@x.io`, password: 'short', name: 'B' },
  });
  t.equal(short.status, 422);
  t.same(short.body.errors, [{ field: 'password', message: 'must be at least 10 characters' }]);
  const sameAsEmail = `c-${randomUUID()}@x.io`;
  const same = await call(app, {
    method: 'POST',
    url: '/auth/register',
    payload: { email: sameAsEmail, password: sameAsEmail, name: 'C' },
  });
  t.equal(same.status, 422);
  for (const payload of [
    {},
    { email: 'not-an-email', password: 'long enough pw', name: 'x' },
    { email: 5, password: [], name: null },
    'string',
    [1],
  ]) {
    const r = await call(app, { method: 'POST', url: '/auth/register', payload: payload });
    t.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(payload)} → ${r.status}`);
    t.match(String(r.headers['content-type']), /problem\+json/);
  }
  const events = await platform.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE data::text LIKE '%a long enough secret%'",
  );
  t.equal(events.rows[0]!.n, 0, 'the password is in no event');
});

t.test('50 parallel registrations of one e-mail give one account', async (t) => {
  const email = `race-${randomUUID()}@test.ktv`;
  const replies = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      call(app, { method: 'POST', url: '/auth/register', payload: { email, password: 'racing password', name: `Racer ${i}` } }),
    ),
  );
  t.equal(replies.filter((r) => r.status === 201).length, 1, 'one 201');
  t.equal(replies.filter((r) => r.status === 409 && r.body.code === 'email_taken').length, 49, '49 email_taken');
  await runner.catchUp();
  const users = await platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rm.users WHERE email = $1', [email]);
  t.equal(users.rows[0]!.n, 1);
  const creds = await platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM credentials');
  const registered = await platform.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE event_type = 'UserRegistered'");
  t.equal(creds.rows[0]!.n, registered.rows[0]!.n, 'no orphan credentials left by the losers');
});

t.test('login: tokens, equal answers for unknown e-mail and wrong password, JWKS verifies', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const claims = JSON.parse(Buffer.from(guest.accessToken.split('.')[1]!, 'base64url').toString());
  const header = JSON.parse(Buffer.from(guest.accessToken.split('.')[0]!, 'base64url').toString());
  t.equal(header.alg, 'EdDSA');
  t.match(claims, { sub: guest.userId, roles: ['guest'], device_id: 'test-device', iss: 'ktv-backend', aud: 'ktv-api' });
  t.ok(claims.jti && claims.sid && claims.exp - claims.iat === 600);
  const jwks = await call(app, { method: 'GET', url: '/.well-known/jwks.json' });
  t.equal(jwks.body.keys[0].kid, header.kid);
  t.equal(jwks.body.keys[0].alg, 'EdDSA');

  const timeOf = async (email: string, password: string) => {
    const started = performance.now();
    const r = await call(app, { method: 'POST', url: '/auth/login', payload: { email, password } });
    return { ms: performance.now() - started, r };
  };
  const wrong = await timeOf(guest.email, 'not the password');
  const unknown = await timeOf(`nobody-${randomUUID()}@test.ktv`, 'not the password');
  t.equal(wrong.r.status, 401);
  t.equal(unknown.r.status, 401);
  t.same(wrong.r.body.code, 'invalid_credentials');
  t.same({ ...wrong.r.body, instance: null }, { ...unknown.r.body, instance: null }, 'the same answer either way');
  t.comment(`wrong password ${wrong.ms.toFixed(1)} ms, unknown e-mail ${unknown.ms.toFixed(1)} ms`);
  t.ok(unknown.ms > 10, 'an unknown e-mail still pays for a password hash');
});

t.test('failed logins per account are limited with 429 and Retry-After, and audited', async (t) => {
  const victim = await signUp(app, platform.store, 'guest');
  for (let i = 0; i < 3; i++) {
    t.equal(
      (await call(app, { method: 'POST', url: '/auth/login', payload: { email: victim.email, password: 'guessing wrong' } })).status,
      401,
    );
  }
  const limited = await call(app, { method: 'POST', url: '/auth/login', payload: { email: victim.email, password: PASSWORD } });
  t.equal(limited.status, 429, 'even the right password waits now');
  t.equal(limited.body.code, 'rate_limited');
  t.ok(Number(limited.headers['retry-after']) > 0, `Retry-After ${String(limited.headers['retry-after'])}`);
  await runner.catchUp();
  const admin = await signUp(app, platform.store, 'admin');
  const audit = await call(app, { method: 'GET', url: `/audit/auth?userId=${victim.userId}&type=LoginFailed`, headers: admin.auth });
  t.equal(audit.status, 200);
  t.equal(audit.body.length, 3, 'three wrong passwords audited');
  t.equal((await call(app, { method: 'GET', url: '/audit/auth', headers: victim.auth })).status, 403, 'guests cannot read the audit');
});

t.test('per-IP limit on login attempts', async (t) => {
  const tight = await startTestService(t, { env: { LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '2' } });
  const tries = [];
  for (let i = 0; i < 3; i++)
    tries.push(await call(tight.app, { method: 'POST', url: '/auth/login', payload: { email: `x${i}@y.io`, password: 'whatever pw' } }));
  t.same(
    tries.map((r) => r.status),
    [401, 401, 429],
  );
  t.ok(Number(tries[2]!.headers['retry-after']) >= 1);
});

t.test('token attacks all get 401', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const [h, p, s] = guest.accessToken.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const other = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const base = { sub: claims.sub, sid: claims.sid, roles: ['admin'], device_id: 'x' };
  const publicPem = platform.tokens.jwks().keys[0]!;
  const forged: Record<string, string> = {
    'tampered payload': `${h}.${b64({ ...claims, roles: ['admin'] })}.${s}`,
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    'wrong key, same kid': createSigner({ key: other, algorithm: 'EdDSA', kid: header.kid, iss: 'ktv-backend', aud: 'ktv-api' })(base),
    'HS256 keyed with the public key': createSigner({
      key: JSON.stringify(publicPem),
      algorithm: 'HS256',
      kid: header.kid,
      iss: 'ktv-backend',
      aud: 'ktv-api',
    })(base),
    expired: createSigner({
      key: other,
      algorithm: 'EdDSA',
      iss: 'ktv-backend',
      aud: 'ktv-api',
      expiresIn: 1000,
      clockTimestamp: Date.now() - 60_000,
    })(base),
    'not yet valid': createSigner({ key: other, algorithm: 'EdDSA', iss: 'ktv-backend', aud: 'ktv-api', notBefore: 3_600_000 })(base),
    garbage: 'not.a.jwt',
  };
  // Properly signed by us but wrong in time or audience: needs our key, which the service holds.
  const { AccessTokens } = await import('../../src/auth/tokens.js');
  const { loadSigningKey } = await import('../../src/auth/keys.js');
  const key = await loadSigningKey(platform.config.jwtPrivateKey, platform.config.dataDir);
  const ours = (o: object) => createSigner({ key: key.privatePem, algorithm: 'EdDSA', kid: key.kid, ...o });
  forged['ours, expired'] = ours({ iss: 'ktv-backend', aud: 'ktv-api', expiresIn: 1000, clockTimestamp: Date.now() - 60_000 })({
    ...base,
    jti: randomUUID(),
  });
  forged['ours, not yet valid'] = ours({ iss: 'ktv-backend', aud: 'ktv-api', notBefore: 3_600_000, expiresIn: 7_200_000 })({
    ...base,
    jti: randomUUID(),
  });
  forged['ours, wrong audience'] = ours({ iss: 'ktv-backend', aud: 'someone-else', expiresIn: 60_000 })({ ...base, jti: randomUUID() });
  forged['ours, wrong issuer'] = ours({ iss: 'evil', aud: 'ktv-api', expiresIn: 60_000 })({ ...base, jti: randomUUID() });
  t.ok(new AccessTokens(key, { issuer: 'ktv-backend', audience: 'ktv-api', accessTtlSeconds: 600 }), 'the real key signs');
  for (const [name, token] of Object.entries(forged)) {
    const r = await call(app, { method: 'GET', url: '/auth/sessions', headers: { authorization: `Bearer ${token}` } });
    t.equal(r.status, 401, name);
  }
  t.equal(
    (await call(app, { method: 'GET', url: '/auth/sessions', headers: { authorization: 'Basic abc' } })).status,
    401,
    'not a bearer token',
  );
  t.equal((await call(app, { method: 'GET', url: '/auth/sessions', headers: guest.auth })).status, 200, 'the genuine token still works');
});

t.test('refresh rotates; reusing a rotated token ends the whole session', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const first = await call(app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: guest.refreshToken } });
  t.equal(first.status, 200);
  t.not(first.body.refreshToken, guest.refreshToken);
  t.equal(
    (await call(app, { method: 'GET', url: '/auth/sessions', headers: { authorization: `Bearer ${first.body.accessToken}` } })).status,
    200,
  );
  const second = await call(app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: first.body.refreshToken } });
  t.equal(second.status, 200, 'the new refresh token works once');

  const reuse = await call(app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: guest.refreshToken } });
  t.equal(reuse.status, 401);
  t.equal(reuse.body.code, 'refresh_token_reused');
  t.equal(
    (await call(app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: second.body.refreshToken } })).status,
    401,
    'the latest refresh token is dead too',
  );
  const me = await call(app, { method: 'GET', url: '/auth/sessions', headers: { authorization: `Bearer ${second.body.accessToken}` } });
  t.equal(me.status, 401, 'and so is the access token');
  t.equal(me.body.code, 'session_revoked');
  for (const bad of ['', 'x', 'a.b.c', `${randomUUID()}.${randomUUID()}.nope`]) {
    const r = await call(app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: bad } });
    t.ok(r.status === 401 || r.status === 422, `refresh ${JSON.stringify(bad)} → ${r.status}`);
  }
});

t.test('logout stops the access token at once; logout-all ends every session', async (t) => {
  const guest = await signUp(app, platform.store, 'guest', 'phone');
  const laptop = await signIn(app, guest.email, guest.userId, 'laptop');
  t.equal((await call(app, { method: 'POST', url: '/auth/logout', headers: guest.auth })).status, 204);
  const after = await call(app, { method: 'GET', url: '/auth/sessions', headers: guest.auth });
  t.equal(after.status, 401);
  t.equal(after.body.code, 'session_revoked');
  t.equal((await call(app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: guest.refreshToken } })).status, 401);
  t.equal((await call(app, { method: 'GET', url: '/auth/sessions', headers: laptop.auth })).status, 200, 'the other device is untouched');
  const tablet = await signIn(app, guest.email, guest.userId, 'tablet');
  t.equal((await call(app, { method: 'POST', url: '/auth/logout-all', headers: laptop.auth })).status, 204);
  t.equal((await call(app, { method: 'GET', url: '/auth/sessions', headers: laptop.auth })).status, 401);
  t.equal((await call(app, { method: 'GET', url: '/auth/sessions', headers: tablet.auth })).status, 401);
});

t.test('device policy: a waiter has one session; signing in elsewhere evicts the old one', async (t) => {
  const waiter = await signUp(app, platform.store, 'waiter', 'till-1');
  const second = await signIn(app, waiter.email, waiter.userId, 'till-2');
  const old = await call(app, { method: 'GET', url: '/auth/sessions', headers: waiter.auth });
  t.equal(old.status, 401);
  t.equal(old.body.code, 'session_evicted');
  const oldRefresh = await call(app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: waiter.refreshToken } });
  t.equal(oldRefresh.body.code, 'session_evicted');
  t.equal((await call(app, { method: 'GET', url: '/auth/sessions', headers: second.auth })).status, 200);

  const guest = await signUp(app, platform.store, 'guest', 'g1');
  const g2 = await signIn(app, guest.email, guest.userId, 'g2');
  await runner.catchUp();
  const list = await call(app, { method: 'GET', url: '/auth/sessions', headers: g2.auth });
  t.same(
    list.body.map((s: { deviceId: string; current: boolean }) => [s.deviceId, s.current]),
    [
      ['g1', false],
      ['g2', true],
    ],
    'guests may keep two',
  );
  const g3 = await signIn(app, guest.email, guest.userId, 'g3');
  t.equal((await call(app, { method: 'GET', url: '/auth/sessions', headers: guest.auth })).body.code, 'session_evicted', 'the oldest goes');
  t.equal((await call(app, { method: 'GET', url: '/auth/sessions', headers: g2.auth })).status, 200);
  await runner.catchUp();
  const g2Id = (await call(app, { method: 'GET', url: '/auth/sessions', headers: g3.auth })).body.find(
    (s: { deviceId: string }) => s.deviceId === 'g2',
  ).id;
  t.equal((await call(app, { method: 'DELETE', url: `/auth/sessions/${g2Id}`, headers: g3.auth })).status, 204);
  t.equal((await call(app, { method: 'GET', url: '/auth/sessions', headers: g2.auth })).status, 401, 'ended from another device');
  t.equal((await call(app, { method: 'DELETE', url: `/auth/sessions/${randomUUID()}`, headers: g3.auth })).status, 404);

  await runner.catchUp();
  const admin = await signUp(app, platform.store, 'admin');
  const audit = await call(app, { method: 'GET', url: `/audit/auth?userId=${waiter.userId}`, headers: admin.auth });
  const types = audit.body.map(
    (a: { type: string; detail: { reason?: string } }) => `${a.type}${a.detail.reason ? `:${a.detail.reason}` : ''}`,
  );
  t.ok(types.includes('SessionEnded:evicted'), 'the eviction is audited');
  t.equal(types.filter((x: string) => x === 'SessionStarted').length, 2, 'both sign-ins are audited');
});

t.test('roles: admins grant and revoke, and the change applies to the next request', async (t) => {
  const admin = await signUp(app, platform.store, 'admin');
  const user = await signUp(app, platform.store, 'guest');
  t.equal(
    (
      await call(app, {
        method: 'POST',
        url: '/room-types',
        headers: user.auth,
        payload: { id: 'vip', name: 'VIP', minCapacity: 2, maxCapacity: 4 },
      })
    ).status,
    403,
  );
  const grant = await call(app, {
    method: 'POST',
    url: `/users/${user.userId}/roles`,
    headers: admin.auth,
    payload: { grant: ['manager'] },
  });
  t.same(grant.body, { id: user.userId, roles: ['guest', 'manager'] });
  t.equal(
    (
      await call(app, {
        method: 'POST',
        url: '/room-types',
        headers: user.auth,
        payload: { id: 'vip', name: 'VIP', minCapacity: 2, maxCapacity: 4 },
      })
    ).status,
    201,
    'same token, new role',
  );
  await call(app, { method: 'POST', url: `/users/${user.userId}/roles`, headers: admin.auth, payload: { revoke: ['manager'] } });
  t.equal(
    (
      await call(app, {
        method: 'POST',
        url: '/room-types',
        headers: user.auth,
        payload: { id: 'vip2', name: 'VIP', minCapacity: 2, maxCapacity: 4 },
      })
    ).status,
    403,
    'revoked at once',
  );
  t.equal(
    (await call(app, { method: 'POST', url: `/users/${user.userId}/roles`, headers: user.auth, payload: { grant: ['admin'] } })).status,
    403,
    'no self-promotion',
  );
  t.equal(
    (await call(app, { method: 'POST', url: `/users/${user.userId}/roles`, headers: admin.auth, payload: { grant: ['overlord'] } })).status,
    422,
  );
  t.equal(
    (await call(app, { method: 'POST', url: `/users/${randomUUID()}/roles`, headers: admin.auth, payload: { grant: ['waiter'] } })).status,
    404,
  );
  await runner.catchUp();
  const audit = await call(app, { method: 'GET', url: `/audit/auth?userId=${user.userId}&type=RolesChanged`, headers: admin.auth });
  t.equal(audit.body.length, 2, 'grant and revoke audited');
});

t.test('profile and membership', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const manager = await signUp(app, platform.store, 'manager');
  const patched = await call(app, {
    method: 'PATCH',
    url: '/me',
    headers: guest.auth,
    payload: { name: 'New Name', phone: '13800000000' },
  });
  t.same(patched.body, { id: guest.userId, name: 'New Name', phone: '13800000000' });
  const level = await call(app, {
    method: 'POST',
    url: `/users/${guest.userId}/membership`,
    headers: manager.auth,
    payload: { level: 'gold', reason: 'loyal' },
  });
  t.same(level.body, { id: guest.userId, membershipLevel: 'gold' });
  t.equal(
    (
      await call(app, {
        method: 'POST',
        url: `/users/${guest.userId}/membership`,
        headers: guest.auth,
        payload: { level: 'black', reason: 'me' },
      })
    ).status,
    403,
  );
  await runner.catchUp();
  const me = await call(app, { method: 'GET', url: '/me', headers: guest.auth });
  t.match(me.body, { id: guest.userId, name: 'New Name', phone: '13800000000', membershipLevel: 'gold', roles: ['guest'] });
  const found = await call(app, {
    method: 'GET',
    url: `/users?email=${encodeURIComponent(guest.email.toUpperCase())}`,
    headers: manager.auth,
  });
  t.equal(found.body.length, 1);
});

t.test('any user changes their e-mail address with their password; the old one is given up', async (t) => {
  const mei = await signUp(app, platform.store, 'guest');
  const other = await signUp(app, platform.store, 'guest');
  const next = `mei-${randomUUID()}@example.com`;
  const put = (payload: object) => call(app, { method: 'PUT', url: '/me/email', headers: mei.auth, payload });
  t.equal((await put({ email: other.email, password: PASSWORD })).body.code, 'email_taken', 'another account’s address');
  t.equal((await put({ email: next, password: 'a wrong password here' })).status, 403);
  const changed = await put({ email: next, password: PASSWORD });
  t.equal(changed.status, 200, changed.raw);
  await runner.catchUp();
  t.equal((await call(app, { method: 'GET', url: '/me', headers: mei.auth })).body.email, next);
  t.equal((await call(app, { method: 'POST', url: '/auth/login', payload: { email: mei.email, password: PASSWORD } })).status, 401);
  t.equal((await call(app, { method: 'POST', url: '/auth/login', payload: { email: next, password: PASSWORD } })).status, 200);
  // The old address: refused to others while a change could still be on its way, free once it is settled.
  const meta = { actor: 'test' };
  const soon = new Date();
  await t.rejects(claimEmail(platform.store, other.userId, next, meta, soon), { code: 'email_taken' }, 'the new address is the user’s');
  const later = new Date(Date.now() + ABANDONED_CLAIM_MS + 1_000);
  await t.rejects(claimEmail(platform.store, other.userId, next, meta, later), { code: 'email_taken' }, 'still theirs, however late');
  await t.resolves(claimEmail(platform.store, other.userId, mei.email, meta, later), 'the given-up address can be claimed');
});
