import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import type { AccessTokens } from '../src/auth/tokens.js';
import { NotFoundError } from '../src/errors.js';
import { principalOf } from '../src/http/access.js';
import type { UsersDatabase } from '../projections/users.js';
import { IdParams, replies } from '../src/http/schemas.js';
import { isPlaceholderEmail } from '../src/events/users.js';

const User = Type.Object(
  {
    id: Type.String(),
    email: Type.Union([Type.String(), Type.Null()], {
      description: 'null: no address yet (an account made by Sign in with WeChat); the user adds one with `PUT /me/email`',
    }),
    name: Type.String(),
    phone: Type.Union([Type.String(), Type.Null()]),
    roles: Type.Array(Type.String()),
    membershipLevel: Type.String(),
    disabled: Type.Boolean({ description: 'Disabled by an admin: cannot sign in' }),
    registeredAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'User' },
);

const Session = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  method: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  current: Type.Boolean(),
});

const AuditEntry = Type.Object({
  eventId: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  type: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  at: Type.String({ format: 'date-time' }),
});

const DeskAction = Type.Object({
  eventId: Type.String(),
  type: Type.String({ description: 'The event: BookingCheckedIn, OrderPlaced, BillAdjusted, PaymentSucceeded, ...' }),
  actor: Type.Object({
    id: Type.String({ description: 'A user id, or `system` for jobs and payment callbacks' }),
    name: Type.Union([Type.String(), Type.Null()]),
  }),
  approvedBy: Type.Union([Type.String(), Type.Null()]),
  bookingId: Type.Union([Type.String(), Type.Null()]),
  roomId: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Union([Type.Integer(), Type.Null()], { description: 'Fen' }),
  detail: Type.Record(Type.String(), Type.Unknown()),
  at: Type.String({ format: 'date-time' }),
});

function toUser(r: UsersDatabase['users']) {
  return {
    id: r.id,
    // The placeholder of a WeChat account is no address: never shown as one.
    email: isPlaceholderEmail(r.email) ? null : r.email,
    name: r.name,
    phone: r.phone,
    roles: r.roles,
    membershipLevel: r.membership_level,
    disabled: r.disabled_at !== null,
    registeredAt: r.registered_at.toISOString(),
  };
}

export async function findUsers(db: Kysely<ReadModels>, by: { id?: string; email?: string; phone?: string }) {
  let q = db.selectFrom('users').selectAll();
  if (by.id) q = q.where('id', '=', by.id);
  if (by.email) q = q.where('email', '=', by.email.trim().toLowerCase());
  if (by.phone) q = q.where('phone', '=', by.phone);
  return (await q.orderBy('registered_at').limit(100).execute()).map(toUser);
}

export async function activeSessions(db: Kysely<ReadModels>, userId: string) {
  return db.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('ended_at', 'is', null).orderBy('started_at').execute();
}

/** Accounts, sessions and the audit trail, from `rm.users`, `rm.sessions` and `rm.auth_audit`. */
export const userQueries: FastifyPluginAsyncTypebox<
  Readonly<{ readModels: Kysely<ReadModels>; tokens: Pick<AccessTokens, 'jwks'> }>
> = async (app, ctx) => {
  const db = ctx.readModels;
  app.addSchema(User);

  app.get(
    '/.well-known/jwks.json',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['identity'],
        summary: 'Public keys that verify access tokens',
        security: [],
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.String())) }) },
      },
    },
    async () => ctx.tokens.jwks(),
  );

  app.get(
    '/me',
    {
      config: { permission: 'profile:self' },
      schema: { tags: ['identity'], summary: 'Your own profile', response: replies({ 200: Type.Ref('User') }) },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const [user] = await findUsers(db, { id: userId });
      if (!user) throw new NotFoundError('user', userId);
      return user;
    },
  );

  app.get(
    '/users',
    {
      config: { permission: 'user:read' },
      schema: {
        tags: ['identity'],
        summary: 'Look users up by e-mail or phone',
        querystring: Type.Object(
          { email: Type.Optional(Type.String({ maxLength: 254 })), phone: Type.Optional(Type.String({ maxLength: 32 })) },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Array(Type.Ref('User')) }),
      },
    },
    async (request) => findUsers(db, request.query),
  );

  app.get(
    '/users/:id',
    {
      config: { permission: 'user:read' },
      schema: {
        tags: ['identity'],
        summary: 'One user',
        params: IdParams,
        response: replies({ 200: Type.Ref('User') }),
      },
    },
    async (request) => {
      const [user] = await findUsers(db, { id: request.params.id });
      if (!user) throw new NotFoundError('user', request.params.id);
      return user;
    },
  );

  app.get(
    '/auth/sessions',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['identity'], summary: 'Your active sessions, one per device', response: replies({ 200: Type.Array(Session) }) },
    },
    async (request) => {
      const { userId, sessionId } = principalOf(request);
      return (await activeSessions(db, userId)).map((s) => ({
        id: s.session_id,
        deviceId: s.device_id,
        method: s.method,
        createdAt: s.started_at.toISOString(),
        lastUsedAt: s.last_used_at.toISOString(),
        current: s.session_id === sessionId,
      }));
    },
  );

  app.get(
    '/audit/auth',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['identity'],
        summary: 'Sign-ins, sign-outs, failed sign-ins, evictions and role changes',
        querystring: Type.Object(
          {
            userId: Type.Optional(Type.String({ maxLength: 64 })),
            type: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Array(AuditEntry) }),
      },
    },
    async (request) => {
      let q = db.selectFrom('auth_audit').selectAll();
      if (request.query.userId) q = q.where('user_id', '=', request.query.userId);
      if (request.query.type) q = q.where('type', '=', request.query.type);
      const rows = await q.orderBy('at', 'desc').limit(request.query.limit).execute();
      return rows.map((r) => ({
        eventId: r.event_id,
        userId: r.user_id,
        type: r.type,
        detail: r.detail as Record<string, unknown>,
        at: r.at.toISOString(),
      }));
    },
  );

  app.get(
    '/audit/desk',
    {
      config: { permission: 'audit:desk' },
      schema: {
        tags: ['identity'],
        summary: 'Who did what at the desk: check-ins and outs, orders and voids, corrections, payments and refunds; newest first',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            actor: Type.Optional(Type.String({ maxLength: 64 })),
            bookingId: Type.Optional(Type.String({ maxLength: 64 })),
            type: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Array(DeskAction) }),
      },
    },
    async (request) => deskActions(db, request.query),
  );
};

/** The desk's audit trail with the actor's name, from `rm.desk_actions` and `rm.users`. */
export async function deskActions(
  db: Kysely<ReadModels>,
  by: Readonly<{ from?: string; to?: string; actor?: string; bookingId?: string; type?: string; limit: number }>,
) {
  let q = db
    .selectFrom('desk_actions as d')
    .leftJoin('users as u', 'u.id', 'd.actor')
    .select(['d.event_id', 'd.type', 'd.actor', 'u.name', 'd.approved_by', 'd.booking_id', 'd.room_id', 'd.amount', 'd.detail', 'd.at']);
  if (by.from) q = q.where('d.at', '>=', new Date(by.from));
  if (by.to) q = q.where('d.at', '<', new Date(by.to));
  if (by.actor) q = q.where('d.actor', '=', by.actor);
  if (by.bookingId) q = q.where('d.booking_id', '=', by.bookingId);
  if (by.type) q = q.where('d.type', '=', by.type);
  const rows = await q.orderBy('d.position', 'desc').limit(by.limit).execute();
  return rows.map((r) => ({
    eventId: r.event_id,
    type: r.type,
    actor: { id: r.actor, name: r.name },
    approvedBy: r.approved_by,
    bookingId: r.booking_id,
    roomId: r.room_id,
    amount: r.amount === null ? null : Number(r.amount),
    detail: r.detail as Record<string, unknown>,
    at: r.at.toISOString(),
  }));
}
