import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import type { OidcProviderConfig } from '../../src/config.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { metadataOf } from '../../src/http/metadata.js';
import { perIpPerMinute } from '../../src/http/rate-limit.js';
import { currentUser } from '../../src/auth/current-user.js';
import { AppError, BadRequestError, ConflictError, NotFoundError, UnauthorizedError, UnavailableError } from '../../src/errors.js';
import { identityClaimStream, normaliseEmail, userStream } from '../../src/events/users.js';
import { auditRefusedSignIn, identityClaimDecider } from './external.js';
import { registerUser, userIdByEmail } from '../users/register.js';
import { userDecider } from '../users/decider.js';
import { TokenPairSchema } from './routes.js';
import { openSession, type SessionContext } from './open.js';
import type { CurrentUserState } from './types.js';
import { replies } from '../../src/http/schemas.js';

/** How long a started sign-in may take at the provider before its state is refused. */
const STATE_TTL = '10 minutes';
const SCOPE = 'openid email profile';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** What went wrong at or with the provider, as a client error; anything else is ours and stays a 500. */
function refusal(err: unknown): AppError | null {
  const code = (e: { error?: unknown }) => ({ error: (typeof e.error === 'string' ? e.error : 'unknown').slice(0, 64) });
  if (err instanceof oidc.AuthorizationResponseError) {
    return new UnauthorizedError('oauth_denied', 'The provider did not authorize the sign-in.', code(err));
  }
  if (err instanceof oidc.ResponseBodyError || err instanceof oidc.WWWAuthenticateChallengeError) {
    return new UnauthorizedError(
      'oauth_code_rejected',
      'The provider refused the authorization code; start again.',
      code(err as { error?: unknown }),
    );
  }
  const network =
    (err instanceof TypeError && err.message === 'fetch failed') ||
    (err instanceof Error && ['TimeoutError', 'AbortError'].includes(err.name));
  if (network || (err instanceof oidc.ClientError && err.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM')) {
    return new UnavailableError('oidc_provider_unavailable', 'The sign-in provider cannot be reached; retry shortly.');
  }
  if (err instanceof oidc.ClientError) {
    return new UnauthorizedError('oauth_invalid_response', 'The provider’s answer did not pass validation.', {
      reason: err.code ?? 'invalid',
    });
  }
  return null;
}

async function providerCall<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw refusal(err) ?? err;
  }
}

/**
 * Sign-in with an external OpenID provider: authorization code with PKCE (S256),
 * `state` and `nonce`; the ID token is checked against the provider's JWKS by
 * openid-client. The first sign-in links the account holding the same verified
 * e-mail address, or creates a guest; later ones find it by the provider's subject.
 */
export const oauthCommands: FastifyPluginAsyncTypebox<SessionContext> = async (app, platform) => {
  const { store, db, config, clock } = platform;
  app.addSchema(TokenPairSchema);

  const providers = new Map(config.oidcProviders.map((p) => [p.name, p]));
  const providerNamed = (name: string): OidcProviderConfig => {
    const p = providers.get(name);
    if (!p) throw new NotFoundError('sign-in provider', name);
    return p;
  };

  // Discovery once per provider; a failed one is forgotten so the next request tries again.
  const discovered = new Map<string, Promise<oidc.Configuration>>();
  const configurationOf = (p: OidcProviderConfig): Promise<oidc.Configuration> => {
    let found = discovered.get(p.name);
    if (!found) {
      const issuer = new URL(p.issuer);
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      // openid-client trusts TLS for ID tokens from the token endpoint unless told to check their signature against the JWKS.
      const execute = insecure ? [oidc.enableNonRepudiationChecks, oidc.allowInsecureRequests] : [oidc.enableNonRepudiationChecks];
      found = oidc.discovery(issuer, p.clientId, p.clientSecret, undefined, { execute });
      discovered.set(p.name, found);
      found.catch(() => discovered.delete(p.name));
    }
    return providerCall(found).catch((err) => {
      app.log.warn({ err, provider: p.name }, 'OpenID provider discovery failed');
      throw err instanceof AppError
        ? new UnavailableError('oidc_provider_unavailable', 'The sign-in provider cannot be reached; retry shortly.')
        : err;
    });
  };

  /** The account of an address: its owner, or a new guest. Two first sign-ins racing end on one account. */
  const userForEmail = async (email: string, name: string, provider: string, metadata: EventMetadata): Promise<string> => {
    const existing = await userIdByEmail(store, email);
    if (existing && (await currentUser(store, existing))) return existing;
    try {
      return await registerUser(store, db, { email, name, phone: null, passwordHash: null, via: `oidc:${provider}` }, metadata, clock());
    } catch (err) {
      const winner = err instanceof ConflictError ? await userIdByEmail(store, email) : null;
      if (winner && (await currentUser(store, winner))) return winner;
      throw err;
    }
  };

  const accountFor = async (
    provider: string,
    claims: oidc.IDToken & Record<string, unknown>,
    metadata: EventMetadata,
  ): Promise<CurrentUserState> => {
    const claimStream = identityClaimStream(provider, claims.sub);
    let userId = (await load(store, claimStream, identityClaimDecider)).state?.userId;
    if (!userId) {
      if (typeof claims.email !== 'string' || claims.email_verified !== true) {
        throw new UnauthorizedError('email_not_verified', 'The provider did not vouch for your e-mail address; verify it there first.');
      }
      const email = normaliseEmail(claims.email);
      const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : email.split('@')[0]!;
      const candidate = await userForEmail(email, name, provider, metadata);
      const { state } = await handle(store, claimStream, identityClaimDecider, { userId: candidate, provider, now: clock() }, metadata);
      userId = state!.userId;
    }
    const { state } = await handle(
      store,
      userStream(userId),
      userDecider,
      { type: 'LinkExternalIdentity', userId, provider, subject: claims.sub, now: clock() },
      metadata,
    );
    if (state.status !== 'registered') throw new NotFoundError('user', userId);
    return state;
  };

  app.get(
    '/auth/oauth/:provider/start',
    {
      config: { permission: 'public', rateLimit: perIpPerMinute(config.loginAttemptsPerIpPerMinute) },
      schema: {
        tags: ['identity'],
        summary: 'Sign in with an OpenID provider: redirects to its sign-in page',
        security: [],
        params: Type.Object({ provider: Type.String({ maxLength: 64 }) }),
        response: replies({ 302: Type.Null({ description: 'Location: the provider’s authorization URL' }) }),
      },
    },
    async (request, reply) => {
      const provider = providerNamed(request.params.provider);
      const client = await configurationOf(provider);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const verifier = oidc.randomPKCECodeVerifier();
      await db.insertInto('oauth_states').values({ state, provider: provider.name, nonce, code_verifier: verifier }).execute();
      const url = oidc.buildAuthorizationUrl(client, {
        redirect_uri: provider.redirectUri,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    '/auth/oauth/:provider/callback',
    {
      config: { permission: 'public', replay: false },
      schema: {
        tags: ['identity'],
        summary: 'Where the OpenID provider sends the browser back; signs in and starts a session',
        security: [],
        params: Type.Object({ provider: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ state: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: true }),
        response: replies({ 200: Type.Ref('TokenPair') }),
      },
    },
    async (request, reply) => {
      const provider = providerNamed(request.params.provider);
      try {
        return await signIn(request, request.query.state, reply, provider);
      } catch (err) {
        // Refused sign-ins are audited like failed password logins; the provider's own outages are not.
        if (err instanceof AppError && err.status < 500 && err.status !== 429) await auditRefusedSignIn(store, clock, request.ip);
        throw err;
      }
    },
  );

  async function signIn(request: FastifyRequest, state: string | undefined, reply: FastifyReply, provider: OidcProviderConfig) {
    const client = await configurationOf(provider);
    // One use only: whoever deletes the row owns this sign-in attempt.
    const row = state
      ? await db
          .deleteFrom('oauth_states')
          .where('state', '=', state)
          .returning(['provider', 'nonce', 'code_verifier', sql<boolean>`created_at < now() - ${STATE_TTL}::interval`.as('expired')])
          .executeTakeFirst()
      : undefined;
    if (!row || row.provider !== provider.name || row.expired) {
      throw new BadRequestError('invalid_oauth_state', 'This sign-in attempt is unknown, expired or already used; start again.');
    }
    // The registered redirect URI with the parameters the provider sent: never the Host header.
    const currentUrl = new URL(provider.redirectUri);
    currentUrl.search = new URL(request.url, 'http://callback').search;
    const tokens = await providerCall(
      oidc.authorizationCodeGrant(client, currentUrl, {
        pkceCodeVerifier: row.code_verifier,
        expectedState: state,
        expectedNonce: row.nonce,
        idTokenExpected: true,
      }),
    );
    let claims = tokens.claims()!;
    if (typeof claims.email !== 'string')
      claims = { ...claims, ...(await providerCall(oidc.fetchUserInfo(client, tokens.access_token, claims.sub))), sub: claims.sub };
    const metadata = metadataOf(request);
    const user = await accountFor(provider.name, claims, metadata);
    reply.header('cache-control', 'no-store');
    return openSession(platform, user, { deviceId: `web-${randomUUID()}`, method: `oidc:${provider.name}`, ip: request.ip }, metadata);
  }
};
