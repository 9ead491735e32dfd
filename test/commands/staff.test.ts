import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { PASSWORD, signIn, signUp } from '../helpers/auth.js';

// Two instances over one database and Redis: what one decides, the other enforces at once.
const a = await startTestService(t, { redis: true });
const b = await startTestService(t, { redis: true, databaseUrl: a.databaseUrl });
const { app, platform } = a;

const post = (on: typeof app, url: string, auth: Record<string, string>, payload?: object) =>
  call(on, { method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
/** `GET /me` reads the users read model: caught up first. */
const me = async (on: typeof app, auth: Record<string, string>) => {
  await a.runner.catchUp();
  return call(on, { method: 'GET', url: '/me', headers: auth });
};

t.test('two admins disabling each other at once: one is refused, the venue keeps a usable admin', async (t) => {
  // First in this database, so these two are the only admins the admins stream counts.
  const x = await signUp(app, platform.store, 'admin', 'x');
  const y = await signUp(app, platform.store, 'admin', 'y');
  const [rx, ry] = await Promise.all([
    post(app, `/users/${y.userId}/disable`, x.auth, { reason: 'race' }),
    post(b.app, `/users/${x.userId}/disable`, y.auth, { reason: 'race' }),
  ]);
  // Exactly one wins. The other is refused as the last admin, or, when the winner's revocation reached
  // the access check first, its own session has already ended.
  t.equal([rx, ry].filter((r) => r.status === 200).length, 1, `${rx.raw} ${ry.raw}`);
  const refused = rx.status === 200 ? ry : rx;
  t.ok(
    (refused.status === 409 && refused.body.code === 'last_admin') || (refused.status === 401 && refused.body.code === 'session_revoked'),
    refused.raw,
  );
  const survivor = rx.status === 200 ? x : y;
  t.equal((await me(app, survivor.auth)).status, 200, 'the one left still works');
});

t.test('disable: sessions and tokens end at once on every instance; sign-in refused; enable lets them back', async (t) => {
  const admin = await signUp(app, platform.store, 'admin', 'admin');
  // A manager may keep several sessions (a waiter only one).
  const waiter = await signUp(app, platform.store, 'manager', 'phone');
  const other = await signIn(b.app, waiter.email, waiter.userId, 'tablet');
  t.equal((await me(b.app, waiter.auth)).status, 200, 'works on the other instance before');

  const off = await post(app, `/users/${waiter.userId}/disable`, admin.auth, { reason: 'left the venue' });
  t.equal(off.status, 200);
  t.same(off.body, { id: waiter.userId, disabled: true });

  for (const [on, who] of [
    [b.app, waiter],
    [app, other],
  ] as const) {
    const r = await me(on, who.auth);
    t.equal(r.status, 401, r.raw);
    t.equal(r.body.code, 'account_disabled');
  }
  const refresh = await call(b.app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: other.refreshToken } });
  t.equal(refresh.status, 401);
  t.equal(refresh.body.code, 'account_disabled');
  const login = await call(b.app, { method: 'POST', url: '/auth/login', payload: { email: waiter.email, password: PASSWORD } });
  t.equal(login.status, 403);
  t.equal(login.body.code, 'account_disabled');
  const wrong = await call(b.app, { method: 'POST', url: '/auth/login', payload: { email: waiter.email, password: 'not the password' } });
  t.equal(wrong.body.code, 'invalid_credentials', 'a wrong password learns nothing about the account');

  await a.runner.catchUp();
  const sessions = await platform.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM rm.sessions WHERE user_id = $1 AND end_reason = 'account_disabled'",
    [waiter.userId],
  );
  t.equal(sessions.rows[0]!.n, 2, 'both sessions ended');
  const listed = await call(app, { method: 'GET', url: `/users/${waiter.userId}`, headers: admin.auth });
  t.equal(listed.body.disabled, true);
  const audit = await call(app, { method: 'GET', url: `/audit/auth?userId=${waiter.userId}&type=AccountDisabled`, headers: admin.auth });
  t.match(audit.body, [{ type: 'AccountDisabled', detail: { reason: 'left the venue', by: admin.userId } }]);

  const on = await post(b.app, `/users/${waiter.userId}/enable`, admin.auth);
  t.same(on.body, { id: waiter.userId, disabled: false });
  t.equal((await me(b.app, waiter.auth)).status, 401, 'old tokens stay dead');
  const back = await signIn(app, waiter.email, waiter.userId);
  t.equal((await me(b.app, back.auth)).status, 200, 'a new sign-in works');
});

t.test('disable: admins only, never oneself, unknown users 404, bad input 4xx', async (t) => {
  const admin = await signUp(app, platform.store, 'admin', 'admin');
  const manager = await signUp(app, platform.store, 'manager', 'm');
  const guest = await signUp(app, platform.store, 'guest', 'g');
  t.equal((await post(app, `/users/${guest.userId}/disable`, manager.auth, { reason: 'x' })).status, 403);
  const self = await post(app, `/users/${admin.userId}/disable`, admin.auth, { reason: 'x' });
  t.equal(self.status, 409);
  t.equal(self.body.code, 'cannot_disable_self');
  t.equal((await post(app, `/users/00000000-0000-4000-8000-000000000000/disable`, admin.auth, { reason: 'x' })).status, 404);
  t.equal((await post(app, `/users/not-a-uuid/enable`, admin.auth)).status, 404);
  for (const payload of [{}, { reason: '' }, { reason: 'x'.repeat(301) }, { reason: 'x', extra: 1 }]) {
    const r = await post(app, `/users/${guest.userId}/disable`, admin.auth, payload);
    t.equal(r.status, 422, JSON.stringify(payload));
  }
  t.equal((await me(app, guest.auth)).status, 200, 'nothing changed');
});

t.test('password reset: one use, expiring, hashed at rest; ends every session', async (t) => {
  const admin = await signUp(app, platform.store, 'admin', 'admin');
  const user = await signUp(app, platform.store, 'waiter', 'w');
  t.equal((await post(app, `/users/${admin.userId}/password-reset`, user.auth)).status, 403, 'admins only');
  const issued = await post(app, `/users/${user.userId}/password-reset`, admin.auth);
  t.equal(issued.status, 201);
  const { token } = issued.body as { token: string; expiresAt: string };
  t.ok(Date.parse(issued.body.expiresAt) > Date.now() + 23 * 3600_000, 'a day by default');
  const stored = await platform.pool.query('SELECT 1 FROM password_resets WHERE token_hash = $1', [token]);
  t.equal(stored.rowCount, 0, 'the token itself is not stored');
  const inEvents = await platform.pool.query('SELECT 1 FROM events WHERE data::text LIKE $1', [`%${token}%`]);
  t.equal(inEvents.rowCount, 0, 'nor in any event');

  const short = await call(b.app, { method: 'POST', url: '/auth/password-reset', payload: { token, password: 'short' } });
  t.equal(short.status, 422, 'a refused password does not spend the token');
  const done = await call(b.app, { method: 'POST', url: '/auth/password-reset', payload: { token, password: 'a brand new secret' } });
  t.equal(done.status, 204);
  const old = await me(app, user.auth);
  t.equal(old.status, 401);
  t.equal(old.body.code, 'session_revoked');
  const again = await call(app, { method: 'POST', url: '/auth/password-reset', payload: { token, password: 'yet another secret' } });
  t.equal(again.status, 400);
  t.equal(again.body.code, 'invalid_reset_token', 'used once only');
  const oldPassword = await call(app, { method: 'POST', url: '/auth/login', payload: { email: user.email, password: PASSWORD } });
  t.equal(oldPassword.status, 401);
  const login = await call(app, { method: 'POST', url: '/auth/login', payload: { email: user.email, password: 'a brand new secret' } });
  t.equal(login.status, 200);

  const first = (await post(app, `/users/${user.userId}/password-reset`, admin.auth)).body.token as string;
  const second = (await post(app, `/users/${user.userId}/password-reset`, admin.auth)).body.token as string;
  const withdrawn = await call(app, {
    method: 'POST',
    url: '/auth/password-reset',
    payload: { token: first, password: 'withdrawn secret!' },
  });
  t.equal(withdrawn.body.code, 'invalid_reset_token', 'a newer token withdraws the older');
  await platform.pool.query("UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1", [user.userId]);
  const expired = await call(app, {
    method: 'POST',
    url: '/auth/password-reset',
    payload: { token: second, password: 'expired secret!!' },
  });
  t.equal(expired.body.code, 'invalid_reset_token', 'expired');
  const racing = (await post(app, `/users/${user.userId}/password-reset`, admin.auth)).body.token as string;
  const both = await Promise.all(
    ['first racer secret', 'second racer secret'].map((password) =>
      call(app, { method: 'POST', url: '/auth/password-reset', payload: { token: racing, password } }),
    ),
  );
  t.same(both.map((r) => r.status).sort(), [204, 400], 'two uses at once: one reset');
  for (const payload of [{}, { token: 'x' }, { token: 'unknown', password: 'long enough secret' }, { token: 1, password: 2 }]) {
    const r = await call(app, { method: 'POST', url: '/auth/password-reset', payload });
    t.ok(r.status === 400 || r.status === 422, `${JSON.stringify(payload)} → ${r.status}`);
  }
  await a.runner.catchUp();
  const audit = await call(app, { method: 'GET', url: `/audit/auth?userId=${user.userId}&type=PasswordChanged`, headers: admin.auth });
  t.equal(audit.body.length, 2, 'the two resets that went through');
});

t.test('waiter role: managers grant and remove it, and nothing else', async (t) => {
  const manager = await signUp(app, platform.store, 'manager', 'm');
  const guest = await signUp(app, platform.store, 'guest', 'g');
  const granted = await call(app, { method: 'PUT', url: `/users/${guest.userId}/roles/waiter`, headers: manager.auth });
  t.equal(granted.status, 200);
  t.same(granted.body.roles, ['guest', 'waiter']);
  t.equal((await call(b.app, { method: 'GET', url: '/board', headers: guest.auth })).status, 200, 'applies to the next request');
  const admin = await post(app, `/users/${guest.userId}/roles`, manager.auth, { grant: ['admin'] });
  t.equal(admin.status, 403, 'every other role stays with admins');
  t.equal(
    (await call(app, { method: 'PUT', url: `/users/${manager.userId}/roles/waiter`, headers: guest.auth })).status,
    403,
    'waiters cannot',
  );
  const removed = await call(app, { method: 'DELETE', url: `/users/${guest.userId}/roles/waiter`, headers: manager.auth });
  t.same(removed.body.roles, ['guest']);
  t.equal((await call(b.app, { method: 'GET', url: '/board', headers: guest.auth })).status, 403);
  await a.runner.catchUp();
  const byManager = await platform.pool.query<{ by: string }>(
    "SELECT detail->>'by' AS by FROM rm.auth_audit WHERE user_id = $1 AND type = 'RolesChanged'",
    [guest.userId],
  );
  t.same(
    byManager.rows.map((r) => r.by),
    [manager.userId, manager.userId],
    'audited with who did it',
  );
});
