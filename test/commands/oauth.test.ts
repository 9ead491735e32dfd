import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
// @ts-expect-error oidc-provider ships no type declarations
import Provider from 'oidc-provider';
import { randomPKCECodeVerifier } from 'openid-client';
import { startTestService } from '../helpers/service.js';
import { call, type Reply } from '../helpers/http.js';
import { PASSWORD, signUp } from '../helpers/auth.js';

type Claims = { email: string; email_verified: boolean; name?: string };

/** Where the provider sends browsers back: the app's callback, at a public address the tests never dial. */
const callbackOf = (name: string) => `https://ktv.test/auth/oauth/${name}/callback`;

/**
 * A real oidc-provider on a loopback port with one confidential client whose only
 * redirect URI is the app's callback, PKCE required. Its login page signs in as
 * `next.subject` (or denies, when `next.deny`); consent is implied by a grant.
 */
async function startProvider(t: Test, name: string, options: { claimsInIdToken: boolean; foreignJwks?: boolean }) {
  const accounts = new Map<string, Claims>();
  const next: { subject: string; deny: boolean } = { subject: '', deny: false };
  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: `${name}-1`,
    use: 'sig',
    alg: 'RS256',
  };
  // Same kid, another key: what a JWKS that does not match the ID token's signature looks like.
  const foreign = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
    kid: `${name}-1`,
    use: 'sig',
    alg: 'RS256',
  };

  let route: http.RequestListener = () => undefined;
  const server = http.createServer((req, res) => route(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = { client_id: `ktv-${name}`, client_secret: `secret-${randomUUID()}` };

  const provider = new Provider(issuer, {
    clients: [
      {
        ...client,
        redirect_uris: [callbackOf(name)],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomUUID()] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: !options.claimsInIdToken,
    features: { devInteractions: { enabled: false } },
    findAccount: async (_ctx: unknown, sub: string) => {
      const claims = accounts.get(sub);
      return claims && { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    // A first-party client: the sign-in grants the requested scopes without a consent page.
    loadExistingGrant: async (ctx: any) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  route = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      const result = next.deny
        ? { error: 'access_denied', error_description: 'The user said no.' }
        : { login: { accountId: next.subject } };
      provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false }).catch((err: Error) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    } else if (options.foreignJwks && req.url === '/jwks') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [foreign] }));
    } else {
      callback(req, res);
    }
  };

  /** A browser at the provider: follows its redirects with its cookies until it is sent back to the app; returns that path and query. */
  const browse = async (authorizationUrl: URL): Promise<string> => {
    const jar = new Map<string, string>();
    let url = authorizationUrl.href;
    for (let hop = 0; hop < 10; hop++) {
      if (url.startsWith(callbackOf(name))) return url.slice('https://ktv.test'.length);
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const cookie of res.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const at = pair.indexOf('=');
        if (pair.slice(at + 1)) jar.set(pair.slice(0, at), pair.slice(at + 1));
        else jar.delete(pair.slice(0, at));
      }
      const location = res.headers.get('location');
      const body = await res.text();
      if (!location) throw new Error(`the provider answered ${res.status} without sending the browser on: ${body}`);
      url = new URL(location, url).href;
    }
    throw new Error('too many redirects');
  };

  return {
    name,
    issuer,
    client,
    accounts,
    next,
    browse,
    appConfig: { name, issuer, clientId: client.client_id, clientSecret: client.client_secret, redirectUri: callbackOf(name) },
  };
}

const acme = await startProvider(t, 'acme', { claimsInIdToken: true });
const beta = await startProvider(t, 'beta', { claimsInIdToken: false });
const gamma = await startProvider(t, 'gamma', { claimsInIdToken: true, foreignJwks: true });
const { app, platform, runner } = await startTestService(t, {
  env: { OIDC_PROVIDERS: JSON.stringify([acme.appConfig, beta.appConfig, gamma.appConfig]) },
});

type TestProvider = typeof acme;

/** A person at a provider, with a subject of their own. */
const person = (p: TestProvider, claims: Partial<Claims> = {}) => {
  const subject = `sub-${randomUUID()}`;
  p.accounts.set(subject, { email: `${subject}@mail.test`, email_verified: true, ...claims });
  return { subject, email: p.accounts.get(subject)!.email };
};

const start = async (p: TestProvider): Promise<URL> => {
  const r = await call(app, { method: 'GET', url: `/auth/oauth/${p.name}/start` });
  if (r.status !== 302) throw new Error(`start answered ${r.status}: ${r.raw}`);
  return new URL(String(r.headers.location));
};

/** Start → provider (signing in as `subject`) → the callback URL the browser would open; not opened yet. */
const toCallback = async (p: TestProvider, subject: string, deny = false): Promise<string> => {
  Object.assign(p.next, { subject, deny });
  return p.browse(await start(p));
};

const signInWith = async (p: TestProvider, subject: string): Promise<Reply> =>
  call(app, { method: 'GET', url: await toCallback(p, subject) });

const stateOf = (callbackUrl: string) => new URL(callbackUrl, 'https://ktv.test').searchParams.get('state')!;
const count = async (text: string, values: unknown[]) => (await platform.pool.query<{ n: number }>(text, values)).rows[0]!.n;
const linksOf = (userId: string) =>
  count("SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND event_type = 'ExternalIdentityLinked'", [`user-${userId}`]);
const accountsWith = (email: string) =>
  count("SELECT count(*)::int AS n FROM events WHERE event_type = 'UserRegistered' AND data->>'email' = $1", [email]);

const isProblem = (t: Test, r: Reply, status: number, code: string) => {
  t.equal(r.status, status, `${code}: ${r.raw}`);
  t.match(String(r.headers['content-type']), /application\/problem\+json/);
  t.equal(r.body.code, code);
};

t.test('start redirects to the provider with PKCE S256, state, nonce and the exact redirect URI, and stores them once', async (t) => {
  const url = await start(acme);
  t.equal(url.origin + url.pathname, `${acme.issuer}/auth`, 'the discovered authorization endpoint');
  const q = Object.fromEntries(url.searchParams);
  t.match(q, { response_type: 'code', client_id: acme.client.client_id, redirect_uri: callbackOf('acme'), code_challenge_method: 'S256' });
  t.match(q.scope, /\bopenid\b/);
  t.match(q.scope, /\bemail\b/);
  const row = (await platform.pool.query('SELECT * FROM oauth_states WHERE state = $1', [q.state])).rows[0];
  t.ok(row, 'state stored');
  t.equal(row.provider, 'acme');
  t.equal(row.nonce, q.nonce);
  t.equal(
    createHash('sha256').update(row.code_verifier).digest('base64url'),
    q.code_challenge,
    'the challenge is S256 of the stored verifier',
  );
  t.notOk(JSON.stringify(q).includes(row.code_verifier), 'the verifier never leaves the server');

  const other = new URL(url);
  other.searchParams.set('redirect_uri', 'https://evil.test/auth/oauth/acme/callback');
  const refused = await fetch(other, { redirect: 'manual' });
  t.equal(refused.status, 400, 'the provider refuses any other redirect URI instead of redirecting there');
  t.notOk(refused.headers.get('location'));
  await refused.text();
});

t.test('first sign-in creates a guest whose tokens work like a password sign-in; the next one finds the same account', async (t) => {
  const alice = person(acme, { name: 'Alice Provider' });
  const first = await signInWith(acme, alice.subject);
  t.equal(first.status, 200, first.raw);
  t.match(first.body, { tokenType: 'Bearer', expiresIn: 600, user: { id: /^[0-9a-f-]{36}$/, roles: ['guest'] } });
  t.type(first.body.accessToken, 'string');
  t.type(first.body.refreshToken, 'string');
  t.equal(first.headers['cache-control'], 'no-store', 'tokens are not cached');

  await runner.catchUp();
  const me = await call(app, { method: 'GET', url: '/me', headers: { authorization: `Bearer ${first.body.accessToken}` } });
  t.equal(me.status, 200);
  t.match(me.body, { id: first.body.user.id, email: alice.email, name: 'Alice Provider', roles: ['guest'] });
  const refreshed = await call(app, { method: 'POST', url: '/auth/refresh', payload: { refreshToken: first.body.refreshToken } });
  t.equal(refreshed.status, 200, 'the refresh token rotates like any other');

  const second = await signInWith(acme, alice.subject);
  t.equal(second.status, 200);
  t.equal(second.body.user.id, first.body.user.id, 'same account');
  t.not(second.body.accessToken, first.body.accessToken);
  t.equal(await accountsWith(alice.email), 1, 'one account');
  t.equal(await linksOf(first.body.user.id), 1, 'the identity is linked once');

  // Found by the subject, not the address: a changed e-mail at the provider still finds the account.
  acme.accounts.set(alice.subject, { email: `changed-${alice.email}`, email_verified: true });
  const third = await signInWith(acme, alice.subject);
  t.equal(third.body.user.id, first.body.user.id);

  await runner.catchUp();
  const sessions = await call(app, {
    method: 'GET',
    url: '/auth/sessions',
    headers: { authorization: `Bearer ${third.body.accessToken}` },
  });
  t.equal(sessions.body.length, 3, 'each sign-in is a session');
  t.same([...new Set(sessions.body.map((s: { method: string }) => s.method))], ['oidc:acme']);
});

t.test('an existing password account with the same verified e-mail is linked, not duplicated', async (t) => {
  const owner = await signUp(app, platform.store, 'guest');
  const subject = `sub-${randomUUID()}`;
  acme.accounts.set(subject, { email: owner.email.toUpperCase(), email_verified: true });
  const r = await signInWith(acme, subject);
  t.equal(r.status, 200, r.raw);
  t.equal(r.body.user.id, owner.userId, 'the password account');
  t.equal(await accountsWith(owner.email), 1, 'no second account');
  t.equal(await linksOf(owner.userId), 1);
  const password = await call(app, { method: 'POST', url: '/auth/login', payload: { email: owner.email, password: PASSWORD } });
  t.equal(password.status, 200, 'the password still works');
});

t.test('an unverified e-mail is refused and links nothing, even to an existing account', async (t) => {
  const owner = await signUp(app, platform.store, 'guest');
  const subject = `sub-${randomUUID()}`;
  acme.accounts.set(subject, { email: owner.email, email_verified: false });
  isProblem(t, await signInWith(acme, subject), 401, 'email_not_verified');
  t.equal(await linksOf(owner.userId), 0, 'the account is not taken over');

  const stranger = person(acme, { email_verified: false });
  isProblem(t, await signInWith(acme, stranger.subject), 401, 'email_not_verified');
  t.equal(await accountsWith(stranger.email), 0, 'no account created');
});

t.test('a provider that gives the e-mail only from userinfo works too', async (t) => {
  const bob = person(beta, { name: 'Bob' });
  const r = await signInWith(beta, bob.subject);
  t.equal(r.status, 200, r.raw);
  await runner.catchUp();
  const me = await call(app, { method: 'GET', url: '/me', headers: { authorization: `Bearer ${r.body.accessToken}` } });
  t.match(me.body, { email: bob.email, name: 'Bob' });
  const unverified = person(beta, { email_verified: false });
  isProblem(t, await signInWith(beta, unverified.subject), 401, 'email_not_verified');
});

t.test('a wrong, missing, foreign, expired or reused state is refused', async (t) => {
  const carol = person(acme);
  const genuine = await toCallback(acme, carol.subject);
  const state = stateOf(genuine);
  isProblem(t, await call(app, { method: 'GET', url: genuine.replace(state, `${state}x`) }), 400, 'invalid_oauth_state');
  isProblem(t, await call(app, { method: 'GET', url: genuine.replace(`state=${state}`, 'other=1') }), 400, 'invalid_oauth_state');

  const ok = await call(app, { method: 'GET', url: genuine });
  t.equal(ok.status, 200, 'a wrong state does not burn the right one');
  isProblem(t, await call(app, { method: 'GET', url: genuine }), 400, 'invalid_oauth_state');
  t.equal(await count('SELECT count(*)::int AS n FROM oauth_states WHERE state = $1', [state]), 0, 'consumed');
  const refused = await platform.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events WHERE event_type = 'LoginFailed' AND data->>'reason' = 'oauth_refused' AND data->>'ip' IS NOT NULL`,
  );
  t.ok(refused.rows[0]!.n >= 3, 'refused sign-ins are in the audit trail');

  const forAcme = await toCallback(acme, carol.subject);
  isProblem(t, await call(app, { method: 'GET', url: forAcme.replace('/acme/', '/beta/') }), 400, 'invalid_oauth_state');

  const stale = await toCallback(acme, carol.subject);
  await platform.pool.query("UPDATE oauth_states SET created_at = now() - interval '11 minutes' WHERE state = $1", [stateOf(stale)]);
  isProblem(t, await call(app, { method: 'GET', url: stale }), 400, 'invalid_oauth_state');

  const raced = await toCallback(acme, carol.subject);
  const replies = await Promise.all(Array.from({ length: 5 }, () => call(app, { method: 'GET', url: raced })));
  t.same(replies.map((r) => r.status).sort(), [200, 400, 400, 400, 400], 'five at once: one sign-in');
});

t.test('a replayed authorization code is refused by our state and, behind it, by the provider', async (t) => {
  const dave = person(acme);
  const url = await toCallback(acme, dave.subject);
  const row = (await platform.pool.query('SELECT state, provider, nonce, code_verifier FROM oauth_states WHERE state = $1', [stateOf(url)]))
    .rows[0];
  t.equal((await call(app, { method: 'GET', url })).status, 200);
  isProblem(t, await call(app, { method: 'GET', url }), 400, 'invalid_oauth_state');

  // Even with the one-time state put back, the provider will not redeem the code twice.
  await platform.pool.query('INSERT INTO oauth_states (state, provider, nonce, code_verifier) VALUES ($1, $2, $3, $4)', [
    row.state,
    row.provider,
    row.nonce,
    row.code_verifier,
  ]);
  const replay = await call(app, { method: 'GET', url });
  isProblem(t, replay, 401, 'oauth_code_rejected');
  t.equal(replay.body.error, 'invalid_grant');
});

t.test('without the PKCE verifier, or with another one, the provider refuses the code', async (t) => {
  const erin = person(acme);
  const sessionsBefore = await count("SELECT count(*)::int AS n FROM events WHERE event_type = 'SessionStarted'", []);
  for (const [what, verifier] of [
    ['missing', ''],
    ['wrong', randomPKCECodeVerifier()],
  ] as const) {
    const url = await toCallback(acme, erin.subject);
    await platform.pool.query('UPDATE oauth_states SET code_verifier = $2 WHERE state = $1', [stateOf(url), verifier]);
    const r = await call(app, { method: 'GET', url });
    isProblem(t, r, 401, 'oauth_code_rejected');
    t.equal(r.body.error, 'invalid_grant', `${what} verifier: the provider says invalid_grant`);
  }
  t.equal(
    await count("SELECT count(*)::int AS n FROM events WHERE event_type = 'SessionStarted'", []),
    sessionsBefore,
    'no session opened',
  );
  t.equal(await accountsWith(erin.email), 0, 'no account created');

  // The provider enforces it on its own: the token endpoint, asked directly without a verifier.
  const url = new URL(await toCallback(acme, erin.subject), 'https://ktv.test');
  const direct = await fetch(`${acme.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: url.searchParams.get('code')!,
      redirect_uri: callbackOf('acme'),
      ...acme.client,
    }),
  });
  t.equal(direct.status, 400);
  t.match(await direct.json(), { error: 'invalid_grant' });
});

t.test('the ID token must carry our nonce and be signed by a key in the provider’s JWKS', async (t) => {
  const frank = person(acme);
  const url = await toCallback(acme, frank.subject);
  await platform.pool.query("UPDATE oauth_states SET nonce = 'not-the-nonce-we-sent' WHERE state = $1", [stateOf(url)]);
  isProblem(t, await call(app, { method: 'GET', url }), 401, 'oauth_invalid_response');

  const grace = person(gamma);
  const forged = await signInWith(gamma, grace.subject);
  isProblem(t, forged, 401, 'oauth_invalid_response');
  t.equal(await accountsWith(grace.email), 0, 'an ID token the JWKS does not verify signs no one in');
});

t.test('provider errors and broken callbacks are 4xx problem+json, never 500', async (t) => {
  const heidi = person(acme);
  const denied = await toCallback(acme, heidi.subject, true);
  t.match(denied, /[?&]error=access_denied/);
  const r = await call(app, { method: 'GET', url: denied });
  isProblem(t, r, 401, 'oauth_denied');
  t.equal(r.body.error, 'access_denied');
  isProblem(t, await call(app, { method: 'GET', url: denied }), 400, 'invalid_oauth_state');

  const fresh = async () => stateOf(await toCallback(acme, heidi.subject));
  const iss = encodeURIComponent(acme.issuer);
  isProblem(t, await call(app, { method: 'GET', url: `/auth/oauth/acme/callback?state=${await fresh()}` }), 401, 'oauth_invalid_response');
  isProblem(
    t,
    await call(app, { method: 'GET', url: `/auth/oauth/acme/callback?state=${await fresh()}&code=forged&iss=${iss}` }),
    401,
    'oauth_code_rejected',
  );
  isProblem(
    t,
    await call(app, { method: 'GET', url: `/auth/oauth/acme/callback?state=${await fresh()}&code=x&iss=https%3A%2F%2Fevil.test` }),
    401,
    'oauth_invalid_response',
  );
  isProblem(
    t,
    await call(app, { method: 'GET', url: `/auth/oauth/acme/callback?state=${await fresh()}&error=server_error&iss=${iss}` }),
    401,
    'oauth_denied',
  );
  // The provider announces RFC 9207, so an answer without its `iss` is not taken as its answer, error or not.
  isProblem(
    t,
    await call(app, { method: 'GET', url: `/auth/oauth/acme/callback?state=${await fresh()}&error=server_error` }),
    401,
    'oauth_invalid_response',
  );
  const twice = await call(app, { method: 'GET', url: '/auth/oauth/acme/callback?state=a&state=b' });
  t.ok(twice.status >= 400 && twice.status < 500, `two states → ${twice.status}`);
});

t.test('an unknown provider is 404', async (t) => {
  isProblem(t, await call(app, { method: 'GET', url: '/auth/oauth/nope/start' }), 404, 'not_found');
  isProblem(t, await call(app, { method: 'GET', url: '/auth/oauth/nope/callback?state=x&code=y' }), 404, 'not_found');
});
