import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { PASSWORD, signUp } from '../helpers/auth.js';
import { startWeChatStandIn, type WeChatUser } from '../helpers/wechat-standin.js';

const CALLBACK = 'https://ktv.test/auth/wechat/callback';
const wechat = await startWeChatStandIn(t);
const { app, platform, runner, databaseUrl } = await startTestService(t, { env: wechat.env(CALLBACK) });

const someone = (over: Partial<WeChatUser> = {}): WeChatUser => ({
  openid: `o_${randomUUID()}`,
  unionid: `u_${randomUUID()}`,
  nickname: '小明',
  ...over,
});
const startUrl = async () => {
  const r = await app.inject({ method: 'GET', url: '/auth/wechat/start' });
  if (r.statusCode !== 302) throw new Error(r.body);
  return String(r.headers.location);
};
/** Back at our callback with what WeChat put on the URL (the callback's host is never dialled). */
const back = (returned: URL) => call(app, { method: 'GET', url: `/auth/wechat/callback${returned.search}` });
const signInWith = async (user: WeChatUser) => back(await wechat.authorize(await startUrl(), user));

t.test('start: redirects to WeChat with the app id, the registered redirect URI, the scope and a fresh state', async (t) => {
  const location = new URL(await startUrl());
  t.equal(location.origin + location.pathname, `${wechat.url}/connect/qrconnect`);
  t.equal(location.searchParams.get('appid'), wechat.app.appId);
  t.equal(location.searchParams.get('redirect_uri'), CALLBACK);
  t.equal(location.searchParams.get('response_type'), 'code');
  t.equal(location.searchParams.get('scope'), 'snsapi_login');
  t.match(location.searchParams.get('state'), /^[A-Za-z0-9_-]{43}$/);
  t.equal(location.hash, '#wechat_redirect');
  t.not(new URL(await startUrl()).searchParams.get('state'), location.searchParams.get('state'), 'a new state each time');
});

t.test('a first WeChat sign-in makes a guest account named after the nickname; later ones find it by unionid', async (t) => {
  const user = someone({ nickname: '王小明' });
  const first = await signInWith(user);
  t.equal(first.status, 200, first.raw);
  t.same(first.body.user.roles, ['guest']);
  t.equal(first.headers['cache-control'], 'no-store');
  await runner.catchUp();
  const me = await call(app, { method: 'GET', url: '/me', headers: { authorization: `Bearer ${first.body.accessToken}` } });
  t.equal(me.body.name, '王小明');
  t.equal(me.body.email, null, 'no address yet: the placeholder is never shown as one');
  const { rows } = await platform.pool.query<{ email: string }>('SELECT email FROM rm.users WHERE id = $1', [first.body.user.id]);
  t.match(rows[0]?.email, /^wechat-[0-9a-f]{32}@wechat\.invalid$/, 'a placeholder under the reserved .invalid domain fills its place');
  // Another app of the venue gives another openid for the same person: the unionid finds them.
  const again = await signInWith({ ...user, openid: `o_${randomUUID()}`, nickname: 'renamed' });
  t.equal(again.body.user.id, first.body.user.id);
  await runner.catchUp();
  const sessions = await platform.pool.query<{ method: string }>('SELECT method FROM rm.sessions WHERE user_id = $1', [first.body.user.id]);
  t.same(
    sessions.rows.map((s) => s.method),
    ['wechat', 'wechat'],
  );
});

t.test('the unionid may come from sns/userinfo when the token answer lacks it', async (t) => {
  const user = someone({ unionidIn: 'userinfo' });
  const first = await signInWith(user);
  t.equal(first.status, 200, first.raw);
  t.equal((await signInWith(user)).body.user.id, first.body.user.id);
});

t.test('no unionid at all is refused, with a code saying so', async (t) => {
  const r = await signInWith(someone({ unionid: null }));
  t.equal(r.status, 401);
  t.equal(r.body.code, 'wechat_unionid_missing');
});

t.test('state: a replayed, forged, expired or missing state is refused before any code is spent', async (t) => {
  const returned = await wechat.authorize(await startUrl(), someone());
  t.equal((await back(returned)).status, 200);
  const replayed = await back(returned);
  t.equal(replayed.status, 400);
  t.equal(replayed.body.code, 'invalid_oauth_state', 'the same callback twice');

  const user = someone();
  const fresh = await wechat.authorize(await startUrl(), user);
  const forged = new URL(fresh);
  forged.searchParams.set('state', 'forged-by-someone-else');
  const refused = await back(forged);
  t.equal(refused.status, 400);
  t.equal(refused.body.code, 'invalid_oauth_state');
  const noState = new URL(fresh);
  noState.searchParams.delete('state');
  t.equal((await back(noState)).body.code, 'invalid_oauth_state');
  t.equal((await back(fresh)).status, 200, 'the code was not spent by the refused attempts');

  const raced = await wechat.authorize(await startUrl(), someone());
  const [one, two] = await Promise.all([back(raced), back(raced)]);
  t.same([one.status, two.status].sort(), [200, 400], 'the same state twice at once: one sign-in');

  const late = await wechat.authorize(await startUrl(), someone());
  await platform.pool.query("UPDATE wechat_states SET created_at = now() - interval '11 minutes' WHERE state = $1", [
    late.searchParams.get('state'),
  ]);
  t.equal((await back(late)).body.code, 'invalid_oauth_state', 'older than 10 minutes');
});

t.test('WeChat’s error codes: 40163 code been used, 40029 invalid code, declined, busy, unreachable', async (t) => {
  const user = someone();
  const used = await wechat.authorize(await startUrl(), user);
  t.equal((await back(used)).status, 200);
  // The same code under a new, valid state: WeChat itself refuses it.
  const next = new URL(await wechat.authorize(await startUrl(), null));
  next.searchParams.set('code', used.searchParams.get('code')!);
  const reused = await back(next);
  t.equal(reused.status, 401);
  t.equal(reused.body.code, 'wechat_code_rejected');
  t.same(reused.body.errcode, 40163);

  const invalid = new URL(await wechat.authorize(await startUrl(), null));
  invalid.searchParams.set('code', 'not-a-code');
  const bad = await back(invalid);
  t.equal(bad.body.code, 'wechat_code_rejected');
  t.same(bad.body.errcode, 40029);

  const declined = await back(await wechat.authorize(await startUrl(), null));
  t.equal(declined.status, 401);
  t.equal(declined.body.code, 'oauth_denied');

  wechat.behaviour.busy = true;
  const busy = await signInWith(someone());
  wechat.behaviour.busy = false;
  t.equal(busy.status, 503);
  t.equal(busy.body.code, 'wechat_unavailable');
  t.same(busy.body.errcode, -1);
  wechat.behaviour.down = true;
  const down = await signInWith(someone());
  wechat.behaviour.down = false;
  t.equal(down.status, 503, 'WeChat unreachable');
  t.equal(down.body.code, 'wechat_unavailable');

  const audit = await platform.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE event_type = 'LoginFailed' AND data->>'reason' = 'oauth_refused'",
  );
  t.ok(audit.rows[0]!.n >= 3, 'refused sign-ins are audited');
});

t.test('bind: a signed-in user binds WeChat, then signs in with it; a WeChat account bound elsewhere is refused', async (t) => {
  const member = await signUp(app, platform.store, 'guest');
  const user = someone();
  const started = await call(app, { method: 'POST', url: '/auth/wechat/bind', headers: member.auth });
  t.equal(started.status, 201);
  const bound = await back(await wechat.authorize(started.body.authorizeUrl, user));
  t.equal(bound.status, 200, bound.raw);
  t.equal(bound.body.user.id, member.userId, 'linked to the signed-in account');
  t.equal((await signInWith(user)).body.user.id, member.userId, 'WeChat now signs into it');

  const other = await signUp(app, platform.store, 'guest');
  await runner.catchUp();
  const again = await call(app, { method: 'POST', url: '/auth/wechat/bind', headers: other.auth });
  const taken = await back(await wechat.authorize(again.body.authorizeUrl, user));
  t.equal(taken.status, 409);
  t.equal(taken.body.code, 'wechat_already_bound');
  t.equal((await call(app, { method: 'POST', url: '/auth/wechat/bind' })).status, 401, 'binding needs a signed-in user');
});

t.test('a disabled account cannot sign in with WeChat', async (t) => {
  const admin = await signUp(app, platform.store, 'admin');
  const user = someone();
  const first = await signInWith(user);
  t.equal(
    (await call(app, { method: 'POST', url: `/users/${first.body.user.id}/disable`, headers: admin.auth, payload: { reason: 'x' } }))
      .status,
    200,
  );
  const refused = await signInWith(user);
  t.equal(refused.status, 403);
  t.equal(refused.body.code, 'account_disabled');
});

t.test('without WECHAT_LOGIN_* configured, WeChat sign-in is 404', async (t) => {
  const plain = await startTestService(t, { databaseUrl });
  for (const req of [
    { method: 'GET', url: '/auth/wechat/start' },
    { method: 'GET', url: '/auth/wechat/callback?code=x&state=y' },
  ] as const) {
    const r = await call(plain.app, req);
    t.equal(r.status, 404, req.url);
  }
});

t.test('a WeChat account adds its real e-mail and a password, then signs in with them too', async (t) => {
  const wechatUser = someone();
  const first = await signInWith(wechatUser);
  const userId = first.body.user.id as string;
  const auth = { authorization: `Bearer ${first.body.accessToken}` };
  const put = (payload: object) => call(app, { method: 'PUT', url: '/me/email', headers: auth, payload });
  const login = (email: string, password = PASSWORD) => call(app, { method: 'POST', url: '/auth/login', payload: { email, password } });
  const email = `mei-${randomUUID()}@example.com`;
  const userEvents = async () => (await platform.store.readStream(`user-${userId}`)).events.map((e) => e.type);
  const before = await userEvents();
  const unchanged = async (why: string) => {
    await runner.catchUp();
    t.equal((await call(app, { method: 'GET', url: '/me', headers: auth })).body.email, null, why);
    t.same(await userEvents(), before, `${why}: nothing recorded`);
  };

  for (const [payload, status, why] of [
    [{ email: 'not an address' }, 422, 'a malformed address'],
    [{ email: 'me@wechat.invalid' }, 422, 'a placeholder address'],
    [{ email, password: 'short' }, 422, 'a password too short'],
    [{ email, extra: 1 }, 422, 'an unknown field'],
  ] as const) {
    const r = await put(payload);
    t.equal(r.status, status, `${why}: ${r.raw}`);
    t.match(String(r.headers['content-type']), /problem\+json/);
    await unchanged(why);
  }
  const other = await signUp(app, platform.store, 'guest');
  await runner.catchUp();
  const otherEmail = (await call(app, { method: 'GET', url: '/me', headers: other.auth })).body.email as string;
  const taken = await put({ email: otherEmail.toUpperCase(), password: PASSWORD });
  t.equal(taken.status, 409);
  t.equal(taken.body.code, 'email_taken');
  await unchanged('a taken address');

  const added = await put({ email: email.toUpperCase(), password: PASSWORD });
  t.equal(added.status, 200, added.raw);
  t.same(added.body, { id: userId, email });
  await runner.catchUp();
  t.equal((await call(app, { method: 'GET', url: '/me', headers: auth })).body.email, email, 'GET /me shows the real address');
  const byEmail = await login(email);
  t.equal(byEmail.status, 200, byEmail.raw);
  t.equal(byEmail.body.user.id, userId, 'signs in with e-mail and password');
  t.equal((await signInWith(wechatUser)).body.user.id, userId, 'and still with WeChat');
  t.same((await userEvents()).slice(-2), ['PasswordChanged', 'EmailChanged'], 'recorded on the user’s stream');

  // With a password now, changing the address again needs it.
  const next = `mei-${randomUUID()}@example.com`;
  t.equal((await put({ email: next })).status, 422, 'the password confirms the change');
  const wrong = await put({ email: next, password: 'not the password at all' });
  t.equal(wrong.status, 403);
  t.equal(wrong.body.code, 'wrong_password');
  const moved = await put({ email: next, password: PASSWORD });
  t.equal(moved.status, 200, moved.raw);
  t.equal((await login(next)).body.user?.id, userId, 'the new address signs in');
  t.equal((await login(email)).status, 401, 'the old one no longer does');
  const again = await put({ email: next, password: PASSWORD });
  t.same(again.body, { id: userId, email: next }, 'the same address again changes nothing');
  t.equal((await userEvents()).filter((type) => type === 'EmailChanged').length, 2);
});
