import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { metadataOf } from '../../src/http/metadata.js';
import { perIpPerMinute } from '../../src/http/rate-limit.js';
import { principalOf } from '../../src/http/access.js';
import { currentUser } from '../../src/auth/current-user.js';
import { AppError, BadRequestError, ConflictError, NotFoundError, UnauthorizedError } from '../../src/errors.js';
import { identityClaimStream, userStream } from '../../src/events/users.js';
import { replies } from '../../src/http/schemas.js';
import { registerUser, userIdByEmail } from '../users/register.js';
import { userDecider } from '../users/decider.js';
import { TokenPairSchema } from './routes.js';
import { openSession, type SessionContext } from './open.js';
import { auditRefusedSignIn, identityClaimDecider } from './external.js';
import { WeChatLogin, type WeChatGrant } from './wechat-client.js';

const PROVIDER = 'wechat';
/** How long a started sign-in may take in WeChat before its state is refused. */
const STATE_TTL = '10 minutes';
const DEFAULT_NAME = '微信用户';

/**
 * WeChat accounts carry no e-mail address, yet every account has one. A made-up
 * address under the reserved `.invalid` domain (RFC 2606) fills the place; being
 * derived from the unionid, its e-mail claim also decides a race between two
 * first sign-ins of one WeChat user.
 */
const placeholderEmail = (unionid: string) => `wechat-${createHash('sha256').update(unionid).digest('hex').slice(0, 32)}@wechat.invalid`;

/**
 * Sign in with WeChat, beside the OpenID providers: WeChat's web authorization
 * is OAuth 2.0 without an ID token (see wechat-client.ts). Accounts are linked by
 * `unionid`, which stays the same across the venue's WeChat apps (`openid` does
 * not). The one-time `state` is kept here for 10 minutes; it names the user when
 * a signed-in user is binding WeChat to their account.
 */
export const wechatCommands: FastifyPluginAsyncTypebox<SessionContext> = async (app, platform) => {
  const { store, db, config, clock } = platform;
  app.addSchema(TokenPairSchema);
  const wechat = config.wechatLogin ? new WeChatLogin(config.wechatLogin) : null;
  const offered = () => {
    if (!wechat) throw new NotFoundError('sign-in provider', PROVIDER);
    return wechat;
  };

  const start = async (bindUser: string | null) => {
    const client = offered();
    const state = randomBytes(32).toString('base64url');
    await db.insertInto('wechat_states').values({ state, bind_user: bindUser }).execute();
    return client.authorizeUrl(state);
  };

  app.get(
    '/auth/wechat/start',
    {
      config: { permission: 'public', rateLimit: perIpPerMinute(config.loginAttemptsPerIpPerMinute) },
      schema: {
        tags: ['identity'],
        summary: 'Sign in with WeChat: redirects to WeChat’s authorization page; `404` when WeChat sign-in is not configured',
        security: [],
        response: replies({ 302: Type.Null({ description: 'Location: WeChat’s authorization URL' }) }),
      },
    },
    async (_request, reply) => reply.redirect(await start(null), 302),
  );

  app.post(
    '/auth/wechat/bind',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary: 'Bind WeChat to your account: open `authorizeUrl` in the browser; the callback then links it and signs you in',
        response: replies({ 201: Type.Object({ authorizeUrl: Type.String() }) }),
      },
    },
    async (request, reply) => reply.code(201).send({ authorizeUrl: await start(principalOf(request).userId) }),
  );

  app.get(
    '/auth/wechat/callback',
    {
      config: { permission: 'public', replay: false },
      schema: {
        tags: ['identity'],
        summary: 'Where WeChat sends the browser back; signs in (or binds, then signs in) and starts a session',
        security: [],
        querystring: Type.Object(
          { code: Type.Optional(Type.String({ maxLength: 512 })), state: Type.Optional(Type.String({ maxLength: 512 })) },
          { additionalProperties: true },
        ),
        response: replies({ 200: Type.Ref('TokenPair') }),
      },
    },
    async (request, reply) => {
      const client = offered();
      try {
        const user = await callback(client, request, request.query.code, request.query.state);
        reply.header('cache-control', 'no-store');
        return await openSession(
          platform,
          user,
          { deviceId: `web-${randomUUID()}`, method: PROVIDER, ip: request.ip },
          metadataOf(request),
        );
      } catch (err) {
        if (err instanceof AppError && err.status < 500 && err.status !== 429) await auditRefusedSignIn(store, clock, request.ip);
        throw err;
      }
    },
  );

  async function callback(client: WeChatLogin, request: FastifyRequest, code: string | undefined, state: string | undefined) {
    // One use only: whoever deletes the row owns this sign-in. A forged state finds no row, a replayed one finds it gone.
    const row = state
      ? await db
          .deleteFrom('wechat_states')
          .where('state', '=', state)
          .returning(['bind_user', sql<boolean>`created_at < now() - ${STATE_TTL}::interval`.as('expired')])
          .executeTakeFirst()
      : undefined;
    if (!row || row.expired)
      throw new BadRequestError('invalid_oauth_state', 'This sign-in attempt is unknown, expired or already used; start again.');
    // WeChat comes back without a code when the user declines.
    if (!code) throw new UnauthorizedError('oauth_denied', 'The sign-in was not authorized in WeChat.');
    const grant = await client.exchange(code);
    const unionid = grant.unionid ?? (await client.profile(grant)).unionid;
    if (!unionid)
      throw new UnauthorizedError(
        'wechat_unionid_missing',
        'WeChat did not give this account’s unionid; the app must be bound to the venue’s WeChat Open Platform account.',
      );
    const metadata = metadataOf(request);
    const claimStream = identityClaimStream(PROVIDER, unionid);
    const claimed = (await load(store, claimStream, identityClaimDecider)).state?.userId;
    if (row.bind_user && claimed && claimed !== row.bind_user)
      throw new ConflictError('wechat_already_bound', 'This WeChat account is already bound to another account.');
    const candidate = row.bind_user ?? claimed ?? (await accountFor(client, grant, unionid, metadata));
    const { state: claim } = await handle(
      store,
      claimStream,
      identityClaimDecider,
      { userId: candidate, provider: PROVIDER, now: clock() },
      metadata,
    );
    const userId = claim!.userId;
    if (row.bind_user && userId !== row.bind_user)
      throw new ConflictError('wechat_already_bound', 'This WeChat account is already bound to another account.');
    const { state: user } = await handle(
      store,
      userStream(userId),
      userDecider,
      { type: 'LinkExternalIdentity', userId, provider: PROVIDER, subject: unionid, now: clock() },
      metadata,
    );
    if (user.status !== 'registered') throw new NotFoundError('user', userId);
    return user;
  }

  /** The account of a first WeChat sign-in: a new guest, named after the WeChat nickname. Two first sign-ins racing end on one. */
  async function accountFor(client: WeChatLogin, grant: WeChatGrant, unionid: string, metadata: EventMetadata): Promise<string> {
    const email = placeholderEmail(unionid);
    const existing = await userIdByEmail(store, email);
    if (existing && (await currentUser(store, existing))) return existing;
    const nickname = (await client.profile(grant)).nickname.trim().slice(0, 100);
    try {
      return await registerUser(
        store,
        db,
        { email, name: nickname || DEFAULT_NAME, phone: null, passwordHash: null, via: PROVIDER },
        metadata,
        clock(),
      );
    } catch (err) {
      const winner = err instanceof ConflictError ? await userIdByEmail(store, email) : null;
      if (winner && (await currentUser(store, winner))) return winner;
      throw err;
    }
  }
};
