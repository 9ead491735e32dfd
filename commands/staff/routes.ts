import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { handle } from '../../src/eventstore/decide.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { perIpPerMinute } from '../../src/http/rate-limit.js';
import { NotFoundError } from '../../src/errors.js';
import { PASSWORD_MAX_LENGTH } from '../../src/auth/passwords.js';
import { sessionsStream, type SessionEndReason } from '../../src/events/users.js';
import { isUuid } from '../../src/ids.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { changeRoles, changeStanding } from '../users/admins.js';
import { sessionsDecider } from '../sessions/decider.js';
import { revokeEnded, type SessionContext } from '../sessions/open.js';
import { issuePasswordReset, resetPassword } from './password-reset.js';

const Standing = Type.Object({ id: Type.String(), disabled: Type.Boolean() });
const Roles = Type.Object({ id: Type.String(), roles: Type.Array(Type.String()) });

/**
 * Staff accounts: admins disable and enable accounts and hand over one-time
 * password reset tokens; managers grant and remove the waiter role (and only
 * that one: every other role stays with `POST /users/:id/roles`, admins only).
 */
export const staffCommands: FastifyPluginAsyncTypebox<SessionContext> = async (app, platform) => {
  const { store, clock } = platform;

  /** Ends every session of a user and revokes their access tokens (shared by all instances through the revocation list). */
  const endSessions = async (request: FastifyRequest, userId: string, reason: SessionEndReason) => {
    const { events } = await handle(
      store,
      sessionsStream(userId),
      sessionsDecider,
      { type: 'EndAll', userId, reason, now: clock() },
      metadataOf(request),
    );
    await revokeEnded(platform, events);
  };

  const known = (id: string) => {
    if (!isUuid(id)) throw new NotFoundError('user', id);
    return id;
  };

  app.post(
    '/users/:id/disable',
    {
      config: { permission: 'account:manage' },
      schema: {
        tags: ['identity'],
        summary:
          'Disable an account: its sessions and access tokens end at once and sign-in is refused (`403 account_disabled`); `409 cannot_disable_self`, `409 last_admin`',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false }),
        response: replies({ 200: Standing }),
      },
    },
    async (request) => {
      const id = known(request.params.id);
      const user = await changeStanding(
        store,
        { userId: id, disable: true, reason: request.body.reason, by: principalOf(request).userId, now: clock() },
        metadataOf(request),
      );
      if (user.status !== 'registered') throw new NotFoundError('user', id);
      // After the account's stream: a crash in between still refuses every request (the access check reads it).
      await endSessions(request, id, 'account_disabled');
      return { id, disabled: true };
    },
  );

  app.post(
    '/users/:id/enable',
    {
      config: { permission: 'account:manage' },
      schema: {
        tags: ['identity'],
        summary: 'Enable a disabled account again; its owner signs in anew',
        params: IdParams,
        response: replies({ 200: Standing }),
      },
    },
    async (request) => {
      const id = known(request.params.id);
      const user = await changeStanding(
        store,
        { userId: id, disable: false, reason: '', by: principalOf(request).userId, now: clock() },
        metadataOf(request),
      );
      if (user.status !== 'registered') throw new NotFoundError('user', id);
      return { id, disabled: false };
    },
  );

  app.post(
    '/users/:id/password-reset',
    {
      config: { permission: 'account:manage' },
      schema: {
        tags: ['identity'],
        summary:
          'Make a one-time password reset token for this user, to hand over in person; an earlier unused one stops working. Only its hash is stored.',
        params: IdParams,
        response: replies({
          201: Type.Object({ userId: Type.String(), token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }),
        }),
      },
    },
    async (request, reply) => {
      const id = known(request.params.id);
      const issued = await issuePasswordReset(platform, id, principalOf(request).userId, metadataOf(request));
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ userId: id, token: issued.token, expiresAt: issued.expiresAt.toISOString() });
    },
  );

  app.post(
    '/auth/password-reset',
    {
      config: { permission: 'public', replay: false, rateLimit: perIpPerMinute(platform.config.loginAttemptsPerIpPerMinute) },
      schema: {
        tags: ['identity'],
        summary:
          'Set a new password with a reset token (once; `400 invalid_reset_token` when unknown, used or expired); every session of the account ends',
        security: [],
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ maxLength: PASSWORD_MAX_LENGTH }) },
          { additionalProperties: false },
        ),
        response: replies({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const userId = await resetPassword(platform, request.body.token, request.body.password, metadataOf(request));
      await endSessions(request, userId, 'password_reset');
      return reply.code(204).send(null);
    },
  );

  const waiter = (grant: boolean) => async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const id = known(request.params.id);
    const user = await changeRoles(
      store,
      { userId: id, grant: grant ? ['waiter'] : [], revoke: grant ? [] : ['waiter'], by: principalOf(request).userId, now: clock() },
      metadataOf(request),
    );
    if (user.status !== 'registered') throw new NotFoundError('user', id);
    return { id, roles: [...user.roles] };
  };

  app.put(
    '/users/:id/roles/waiter',
    {
      config: { permission: 'user:assign_waiter' },
      schema: {
        tags: ['identity'],
        summary: 'Grant the waiter role (managers and admins); applies to their next request',
        params: IdParams,
        response: replies({ 200: Roles }),
      },
    },
    waiter(true),
  );

  app.delete(
    '/users/:id/roles/waiter',
    {
      config: { permission: 'user:assign_waiter' },
      schema: {
        tags: ['identity'],
        summary: 'Remove the waiter role (managers and admins); applies to their next request',
        params: IdParams,
        response: replies({ 200: Roles }),
      },
    },
    waiter(false),
  );
};
