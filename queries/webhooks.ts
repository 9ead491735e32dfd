import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { PlatformDatabase } from '../src/db/schema.js';
import { replies } from '../src/http/schemas.js';
import { Subscription } from '../src/webhooks/subscription.js';

const Delivery = Type.Object({
  id: Type.String(),
  subscriptionId: Type.String(),
  eventId: Type.String(),
  type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'The HTTP status of the last attempt; null: no answer' }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Null once delivered or failed' }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const DeliveriesQuery = Type.Object(
  {
    subscriptionId: Type.Optional(Type.String({ format: 'uuid' })),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

/** The subscriptions and the delivery log, newest first, for admins. */
export const webhookQueries: FastifyPluginAsyncTypebox<Readonly<{ db: Kysely<PlatformDatabase> }>> = async (app, { db }) => {
  app.get(
    '/webhooks/subscriptions',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Every webhook subscription (secrets are not shown)',
        response: replies({ 200: Type.Array(Subscription) }),
      },
    },
    async () => {
      const rows = await db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at', 'desc').execute();
      return rows.map((r) => ({ id: r.id, url: r.url, events: r.event_types, active: r.active, createdAt: r.created_at.toISOString() }));
    },
  );

  app.get(
    '/webhooks/deliveries',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'The delivery log: each event sent to each subscriber, its attempts and last answer',
        querystring: DeliveriesQuery,
        response: replies({ 200: Type.Array(Delivery) }),
      },
    },
    async (request) => {
      const { subscriptionId, status, limit } = request.query;
      let query = db.selectFrom('webhook_deliveries').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit);
      if (subscriptionId) query = query.where('subscription_id', '=', subscriptionId);
      if (status) query = query.where('status', '=', status);
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        subscriptionId: r.subscription_id,
        eventId: r.event_id,
        type: r.event_type,
        status: r.status,
        attempts: r.attempts,
        lastStatus: r.last_status,
        lastError: r.last_error,
        nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
        deliveredAt: r.delivered_at?.toISOString() ?? null,
        createdAt: r.created_at.toISOString(),
      }));
    },
  );
};
