import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { EventStore } from '../../src/eventstore/port.js';
import type { Config } from '../../src/config.js';
import { perIpPerMinute } from '../../src/http/rate-limit.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { ValidationError, NotFoundError } from '../../src/errors.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_PROBLEM_MESSAGES, hashPassword, passwordProblem } from '../../src/auth/passwords.js';
import { ROLES } from '../../src/auth/permissions.js';
import { MEMBERSHIP_LEVELS, MEMBERSHIP_RULES_STREAM, userStream } from '../../src/events/users.js';
import { isUuid } from '../../src/ids.js';
import { registerUser } from './register.js';
import { changeEmail } from './change-email.js';
import { changeRoles } from './admins.js';
import { rulesDecider, spendOf } from './levels.js';
import { nextLevel } from '../../domain/members/levels.js';
import { currentUser } from '../../src/auth/current-user.js';
import { userDecider, type UserCommand } from './decider.js';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../src/clock.js';
import { IdParams, replies } from '../../src/http/schemas.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 -]{5,19}$', description: 'Digits, optionally with a leading + and spaces or dashes' });
const Name = Type.String({ minLength: 1, maxLength: 100 });

export const userCommands: FastifyPluginAsyncTypebox<
  Readonly<{ store: EventStore; db: Kysely<PlatformDatabase>; clock: Clock; config: Pick<Config, 'registrationsPerIpPerMinute'> }>
> = async (app, { store, db, clock, config }) => {
  /** Runs a command on another user's stream; unknown ids answer 404. */
  const changeUser = async (request: FastifyRequest, id: string, command: UserCommand) => {
    if (!isUuid(id)) throw new NotFoundError('user', id);
    const { state } = await handle(store, userStream(id), userDecider, command, metadataOf(request));
    if (state.status !== 'registered') throw new NotFoundError('user', id);
    return state;
  };

  app.post(
    '/auth/register',
    {
      config: { permission: 'public', rateLimit: perIpPerMinute(config.registrationsPerIpPerMinute) },
      schema: {
        tags: ['identity'],
        summary: 'Create a guest account',
        security: [],
        body: Type.Object(
          { email: Email, password: Type.String({ maxLength: PASSWORD_MAX_LENGTH }), name: Name, phone: Type.Optional(Phone) },
          { additionalProperties: false },
        ),
        response: replies({ 201: Type.Object({ userId: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const { email, password, name, phone } = request.body;
      const problem = passwordProblem(password, email);
      if (problem) throw new ValidationError([{ field: 'password', message: PASSWORD_PROBLEM_MESSAGES[problem] }]);
      const userId = await registerUser(
        store,
        db,
        { email, name, phone: phone ?? null, passwordHash: await hashPassword(password), via: 'password' },
        metadataOf(request),
        clock(),
      );
      return reply.code(201).send({ userId });
    },
  );

  app.patch(
    '/me',
    {
      config: { permission: 'profile:self' },
      schema: {
        tags: ['identity'],
        summary: 'Change your own name or phone',
        body: Type.Object(
          { name: Type.Optional(Name), phone: Type.Optional(Type.Union([Phone, Type.Null()])) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: replies({
          200: Type.Object({ id: Type.String(), name: Type.String(), phone: Type.Union([Type.String(), Type.Null()]) }),
        }),
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const { state } = await handle(
        store,
        userStream(userId),
        userDecider,
        { type: 'UpdateProfile', userId, name: request.body.name, phone: request.body.phone, now: clock() },
        metadataOf(request),
      );
      if (state.status !== 'registered') throw new NotFoundError('user', userId);
      return { id: state.id, name: state.name, phone: state.phone };
    },
  );

  app.put(
    '/me/email',
    {
      config: { permission: 'profile:self' },
      schema: {
        tags: ['identity'],
        summary: 'Change your own e-mail address (an account made by Sign in with WeChat adds its first real one)',
        description:
          'With a password on the account, `password` is that password and confirms the change (`403 wrong_password`). ' +
          'Without one (a WeChat account), `password` is optional and becomes the password, so the account can also sign in ' +
          'with the address. `409 email_taken` when another account has the address; the old address no longer signs in.',
        body: Type.Object(
          { email: Email, password: Type.Optional(Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH })) },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Object({ id: Type.String(), email: Type.String() }) }),
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const email = await changeEmail({ store, db }, userId, request.body, metadataOf(request), clock());
      return { id: userId, email };
    },
  );

  app.post(
    '/users/:id/roles',
    {
      config: { permission: 'user:assign_role' },
      schema: {
        tags: ['identity'],
        summary: "Grant and revoke a user's roles; applies to their next request; `409 last_admin` when it would leave no admin",
        params: IdParams,
        body: Type.Object(
          {
            grant: Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { default: [], maxItems: 5 }),
            revoke: Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { default: [], maxItems: 5 }),
          },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Object({ id: Type.String(), roles: Type.Array(Type.String()) }) }),
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isUuid(id)) throw new NotFoundError('user', id);
      // Through the admins stream, so the venue never loses its last admin (409 last_admin).
      const user = await changeRoles(
        store,
        { userId: id, grant: request.body.grant, revoke: request.body.revoke, by: principalOf(request).userId, now: clock() },
        metadataOf(request),
      );
      if (user.status !== 'registered') throw new NotFoundError('user', id);
      return { id, roles: [...user.roles] };
    },
  );

  const Thresholds = Type.Object(
    {
      silver: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Fen spent in the period' }),
      gold: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
      black: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    },
    { additionalProperties: false },
  );
  const Rules = Type.Object({
    version: Type.Integer({ description: 'How many times the rules have been set' }),
    periodDays: Type.Integer(),
    thresholds: Thresholds,
  });
  const rulesNow = async () => {
    const { state } = await load(store, MEMBERSHIP_RULES_STREAM, rulesDecider);
    if (!state) throw new NotFoundError('membership rules', MEMBERSHIP_RULES_STREAM);
    return state;
  };

  app.put(
    '/membership/levels',
    {
      config: { permission: 'membership:write' },
      schema: {
        tags: ['identity'],
        summary:
          'Set the spend (fen) each level needs over a rolling period; levels follow from check-outs (`422 thresholds_not_ascending`)',
        body: Type.Object(
          { periodDays: Type.Integer({ minimum: 1, maximum: 1096 }), thresholds: Thresholds },
          { additionalProperties: false },
        ),
        response: replies({ 200: Rules }),
      },
    },
    async (request) => {
      const { state } = await handle(
        store,
        MEMBERSHIP_RULES_STREAM,
        rulesDecider,
        { ...request.body, by: principalOf(request).userId, now: clock() },
        metadataOf(request),
      );
      if (!state) throw new NotFoundError('membership rules', MEMBERSHIP_RULES_STREAM);
      return state;
    },
  );

  app.get(
    '/membership/levels',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary: 'The spend each level needs and over how many days; `404` until a manager sets them',
        response: replies({ 200: Rules }),
      },
    },
    rulesNow,
  );

  app.get(
    '/me/membership',
    {
      config: { permission: 'profile:self' },
      schema: {
        tags: ['identity'],
        summary: 'Your level, what you spent in the rolling period and what the next level needs; `404` until levels are set',
        response: replies({
          200: Type.Object({
            level: Type.String(),
            levelSetByHand: Type.String({ description: 'Earned levels never go below it' }),
            spend: Type.Integer({ description: 'Fen spent in the last `periodDays` days' }),
            periodDays: Type.Integer(),
            next: Type.Union([
              Type.Object({ level: Type.String(), missing: Type.Integer({ description: 'Fen still to spend' }) }),
              Type.Null(),
            ]),
          }),
        }),
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const rules = await rulesNow();
      const user = await currentUser(store, userId);
      if (!user) throw new NotFoundError('user', userId);
      const spend = await spendOf(store, userId, rules, clock());
      return {
        level: user.membershipLevel,
        levelSetByHand: user.levelSetByHand,
        spend,
        periodDays: rules.periodDays,
        next: nextLevel(spend, rules.thresholds),
      };
    },
  );

  app.post(
    '/users/:id/membership',
    {
      config: { permission: 'membership:write' },
      schema: {
        tags: ['identity'],
        summary: "Set a user's membership level by hand (used by pricing); earned levels never go below it",
        params: IdParams,
        body: Type.Object(
          { level: Type.Union(MEMBERSHIP_LEVELS.map((l) => Type.Literal(l))), reason: Type.String({ minLength: 1, maxLength: 300 }) },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Object({ id: Type.String(), membershipLevel: Type.String() }) }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const user = await changeUser(request, id, {
        type: 'ChangeMembership',
        userId: id,
        level: request.body.level,
        reason: request.body.reason,
        by: principalOf(request).userId,
        now: clock(),
      });
      return { id, membershipLevel: user.membershipLevel };
    },
  );
};
