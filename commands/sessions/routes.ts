import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { handle } from '../../src/eventstore/decide.js';
import { metadataOf } from '../../src/http/metadata.js';
import { perIpPerMinute, retryAfterSeconds } from '../../src/http/rate-limit.js';
import { principalOf } from '../../src/http/access.js';
import { NotFoundError, TooManyRequestsError, UnauthorizedError } from '../../src/errors.js';
import { DUMMY_HASH, PASSWORD_MAX_LENGTH, verifyPassword } from '../../src/auth/passwords.js';
import { currentUser } from '../../src/auth/current-user.js';
import { LoginFailures } from '../../src/auth/login-failures.js';
import { authAuditStream, normaliseEmail, sessionsStream, type AuthAuditEvent } from '../../src/events/users.js';
import { userIdByEmail } from '../users/register.js';
import { sessionsDecider } from './decider.js';
import { hashRefreshToken, newRefreshToken, parseRefreshToken } from './refresh-token.js';
import { openSession, revokeEnded, type SessionContext } from './open.js';
import { IdParams, replies } from '../../src/http/schemas.js';

export const TokenPairSchema = Type.Object(
  {
    accessToken: Type.String(),
    refreshToken: Type.String(),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
    user: Type.Object({ id: Type.String(), roles: Type.Array(Type.String()) }),
  },
  { $id: 'TokenPair' },
);

const DeviceId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' });

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    deviceId: Type.Optional(DeviceId),
  },
  { additionalProperties: false },
);

export const sessionCommands: FastifyPluginAsyncTypebox<SessionContext> = async (app, platform) => {
  const { store, db, config, clock } = platform;
  app.addSchema(TokenPairSchema);

  /** Failed sign-ins per account, from one address and from all, with growing waits (src/auth/login-failures.ts). */
  const failures = new LoginFailures(platform.redis, {
    perAccountAndIp: config.loginFailuresPerAccountAndIp,
    perAccount: config.loginFailuresPerAccount,
    windowSeconds: config.loginFailureWindowSeconds,
    firstDelaySeconds: config.loginDelayFirstSeconds,
    maxDelaySeconds: config.loginDelayMaxSeconds,
    accountMaxDelaySeconds: config.loginAccountDelayMaxSeconds,
  });

  const refuse = async (email: string, userId: string | null, ip: string, reason: AuthAuditEvent['data']['reason']) => {
    const event: AuthAuditEvent = { type: 'LoginFailed', data: { email, userId, ip, reason, at: clock().toISOString() } };
    await store.appendToStream(authAuditStream(clock()), [{ id: randomUUID(), ...event }], 'any');
  };

  app.post(
    '/auth/login',
    {
      config: { permission: 'public', replay: false, rateLimit: perIpPerMinute(config.loginAttemptsPerIpPerMinute) },
      schema: {
        tags: ['identity'],
        summary: 'Sign in with e-mail and password; starts a session on this device',
        security: [],
        body: LoginBody,
        response: replies({ 200: Type.Ref('TokenPair') }),
      },
    },
    async (request) => {
      const email = normaliseEmail(request.body.email);
      const ip = request.ip;
      // Checked before the password, so an attempt during a wait costs no hash and counts nothing.
      const wait = await failures.waitMs(email, ip);
      if (wait > 0) {
        await refuse(email, null, ip, 'rate_limited');
        throw new TooManyRequestsError(retryAfterSeconds(wait));
      }

      // Unknown address and wrong password take the same path and the same time.
      const userId = await userIdByEmail(store, email);
      const row = userId
        ? await db.selectFrom('credentials').select('password_hash').where('user_id', '=', userId).executeTakeFirst()
        : undefined;
      const ok = await verifyPassword(request.body.password, row?.password_hash ?? DUMMY_HASH);
      const user = ok && userId ? await currentUser(store, userId) : null;
      if (!ok || !user) {
        await failures.failed(email, ip);
        await refuse(email, userId, ip, userId ? 'wrong_password' : 'unknown_email');
        throw new UnauthorizedError('invalid_credentials', 'The e-mail address or password is wrong.');
      }
      await failures.succeeded(email, ip);
      return openSession(
        platform,
        user,
        { deviceId: request.body.deviceId ?? `web-${randomUUID()}`, method: 'password', ip },
        metadataOf(request),
      );
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: { permission: 'public', replay: false, rateLimit: perIpPerMinute(config.refreshesPerIpPerMinute) },
      schema: {
        tags: ['identity'],
        summary: 'Exchange a refresh token for a new pair; the old one stops working, and reusing it ends the session',
        security: [],
        body: Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false }),
        response: replies({ 200: Type.Ref('TokenPair') }),
      },
    },
    async (request) => {
      const parsed = parseRefreshToken(request.body.refreshToken);
      if (!parsed) throw new UnauthorizedError('invalid_refresh_token', 'The refresh token is not valid.');
      const { userId, sessionId } = parsed;
      const next = newRefreshToken(userId, sessionId);
      const { events, state } = await handle(
        store,
        sessionsStream(userId),
        sessionsDecider,
        {
          type: 'Refresh',
          userId,
          sessionId,
          presentedHash: hashRefreshToken(request.body.refreshToken),
          newHash: next.hash,
          ttlSeconds: config.refreshTokenTtlSeconds,
          now: clock(),
        },
        metadataOf(request),
      );
      await revokeEnded(platform, events);
      if (events.some((e) => e.type === 'SessionEnded')) {
        throw new UnauthorizedError('refresh_token_reused', 'This refresh token was already used; the session has been ended.');
      }
      const user = await currentUser(store, userId);
      const session = state.sessions.get(sessionId);
      if (!user || !session) throw new UnauthorizedError('invalid_refresh_token', 'The refresh token is not valid.');
      if (user.disabled) throw new UnauthorizedError('account_disabled', 'This account has been disabled; ask an admin.');
      return {
        accessToken: platform.tokens.issue({ userId, sessionId, roles: user.roles, deviceId: session.deviceId }),
        refreshToken: next.token,
        tokenType: 'Bearer' as const,
        expiresIn: platform.tokens.ttlSeconds,
        user: { id: userId, roles: [...user.roles] },
      };
    },
  );

  const end = async (request: FastifyRequest, sessionId: string | null) => {
    const { userId } = principalOf(request);
    const command = sessionId
      ? { type: 'End' as const, userId, sessionId, reason: 'logout' as const, now: clock() }
      : { type: 'EndAll' as const, userId, reason: 'logout_all' as const, now: clock() };
    const { events } = await handle(store, sessionsStream(userId), sessionsDecider, command, metadataOf(request));
    await revokeEnded(platform, events);
    return events;
  };

  app.post(
    '/auth/logout',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary: 'End this session; its access token stops working at once',
        response: replies({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await end(request, principalOf(request).sessionId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/logout-all',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['identity'], summary: 'End every session of this user', response: replies({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      await end(request, null);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/auth/sessions/:id',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary: 'End one of your sessions (another device)',
        params: IdParams,
        response: replies({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const { events } = await handle(
        store,
        sessionsStream(userId),
        sessionsDecider,
        { type: 'End', userId, sessionId: request.params.id, reason: 'ended_by_user', now: clock() },
        metadataOf(request),
      );
      if (events.length === 0) throw new NotFoundError('session', request.params.id);
      await revokeEnded(platform, events);
      return reply.code(204).send(null);
    },
  );
};
