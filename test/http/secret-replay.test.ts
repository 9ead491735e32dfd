import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { startTestService, type TestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { PASSWORD, signUp } from '../helpers/auth.js';

type Tokens = { accessToken: string; refreshToken: string };

/** Every idempotency record the service holds for `key`, in whichever store it uses, as text. */
async function storedFor(service: TestService, key: string): Promise<string[]> {
  const { platform } = service;
  if (platform.redis) {
    const keys = await platform.redis.keys(`ktv:idem:*${key}*`);
    const values = await Promise.all(keys.map((k) => platform.redis!.get(k)));
    return [...keys, ...values.map(String)];
  }
  const { rows } = await platform.pool.query<{ row: string }>(
    `SELECT row_to_json(k)::text AS row FROM idempotency_keys k WHERE k::text LIKE $1`,
    [`%${key}%`],
  );
  return rows.map((r) => r.row);
}

async function everythingStored(service: TestService): Promise<string> {
  const { platform } = service;
  if (platform.redis) {
    const keys = await platform.redis.keys('ktv:idem:*');
    const values = await Promise.all(keys.map((k) => platform.redis!.get(k)));
    return JSON.stringify(values);
  }
  const { rows } = await platform.pool.query<{ all: string }>(
    `SELECT coalesce(string_agg(k::text, ' '), '') AS all FROM idempotency_keys k`,
  );
  return rows[0]!.all;
}

async function secretsAreNeverReplayed(t: Test, service: TestService) {
  const { app, platform } = service;
  const user = await signUp(app, platform.store, 'guest');
  const key = `login-${randomUUID()}`;
  const login = (deviceId: string) =>
    call(app, {
      method: 'POST',
      url: '/auth/login',
      headers: { 'idempotency-key': key },
      payload: { email: user.email, password: PASSWORD, deviceId },
    });

  const first = await login('phone');
  t.equal(first.status, 200);
  const tokens = first.body as Tokens;
  t.same(await storedFor(service, key), [], 'a login stores nothing under its Idempotency-Key');

  const logout = await call(app, { method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${tokens.accessToken}` } });
  t.equal(logout.status, 204);

  const again = await login('phone');
  t.equal(again.status, 200, 'the same key signs in anew (the key is ignored, not a conflict)');
  t.not(again.headers['idempotent-replayed'], 'true', 'nothing is replayed');
  t.not((again.body as Tokens).accessToken, tokens.accessToken, 'the logged-out token is not handed back');
  const dead = await call(app, { method: 'GET', url: '/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
  t.equal(dead.status, 401, 'logout stays done');

  const other = await login('tablet');
  t.equal(other.status, 200, 'a different body under the same key is not refused either');

  // Rotation: a refresh under a key, then a retry of it, must not hand back the rotated-away pair.
  const refreshKey = `refresh-${randomUUID()}`;
  const refresh = (refreshToken: string) =>
    call(app, { method: 'POST', url: '/auth/refresh', headers: { 'idempotency-key': refreshKey }, payload: { refreshToken } });
  const rotated = await refresh((again.body as Tokens).refreshToken);
  t.equal(rotated.status, 200);
  t.same(await storedFor(service, refreshKey), [], 'a refresh stores nothing under its Idempotency-Key');
  const retried = await refresh((again.body as Tokens).refreshToken);
  t.equal(retried.status, 401, 'the old refresh token is refused, not answered with the stored pair');
  t.equal(retried.body.code, 'refresh_token_reused');

  const all = await everythingStored(service);
  for (const secret of [
    tokens.accessToken,
    tokens.refreshToken,
    (rotated.body as Tokens).refreshToken,
    (rotated.body as Tokens).accessToken,
  ]) {
    t.notOk(all.includes(secret), 'no token is anywhere in the idempotency store');
  }

  // The audit trail shows sessions, never a refresh token or its hash.
  await service.runner.catchUp();
  const { rows } = await platform.pool.query<{ detail: string }>(`SELECT detail::text FROM rm.auth_audit WHERE user_id = $1`, [
    user.userId,
  ]);
  t.ok(rows.length > 0, 'the sign-ins are audited');
  t.notOk(
    rows.some((r) => r.detail.includes('refreshTokenHash')),
    'no audit row carries a refresh token hash',
  );
  const admin = await signUp(app, platform.store, 'admin');
  await service.runner.catchUp();
  const audit = await call(app, { method: 'GET', url: `/audit/auth?userId=${user.userId}`, headers: admin.auth });
  t.equal(audit.status, 200);
  t.notOk(audit.raw.includes('refreshTokenHash'), 'nor does the audit route');

  const doc = await call(app, { method: 'GET', url: '/openapi.json' });
  const loginDoc = doc.body.paths['/auth/login'].post as { description?: string };
  t.match(loginDoc.description ?? '', /Idempotency-Key` header is ignored/, 'the OpenAPI description says the key is ignored');
}

t.test('with the PostgreSQL idempotency store', async (t) => secretsAreNeverReplayed(t, await startTestService(t)));
t.test('with the Redis idempotency store', async (t) => {
  const service = await startTestService(t, { redis: true });
  if (!service.platform.redis) {
    t.comment('REDIS_URL is not set: skipped');
    return;
  }
  return secretsAreNeverReplayed(t, service);
});
