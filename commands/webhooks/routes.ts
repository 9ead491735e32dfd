import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../src/http/access.js';
import { NotFoundError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { newSecret } from '../../src/webhooks/signature.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/webhooks/outbox.js';
import { redeliver, type WebhookContext } from '../../src/webhooks/delivery.js';
import { Subscription } from '../../src/webhooks/subscription.js';

const EventType = Type.Union(WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t)));

const SubscribeBody = Type.Object(
  {
    url: Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000, description: 'Where the events are POSTed' }),
    events: Type.Optional(
      Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true, description: 'Default: all' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Admins subscribe a URL to booking and payment events (src/webhooks: signing, delivery, retries),
 * end a subscription, and send a delivery again. Subscriptions are operational settings, like the
 * signing keys, not business facts: they live in the platform's tables, not the event store.
 */
export const webhookCommands: FastifyPluginAsyncTypebox<WebhookContext> = async (app, ctx) => {
  const { db, clock } = ctx;

  app.post(
    '/webhooks/subscriptions',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to booking and payment events; the answer holds the signing secret, shown only here',
        body: SubscribeBody,
        response: replies({ 201: Type.Composite([Subscription, Type.Object({ secret: Type.String() })]) }),
      },
    },
    async (request, reply) => {
      const row = {
        id: newId<'webhook'>(),
        url: request.body.url,
        secret: newSecret(),
        event_types: [...(request.body.events ?? WEBHOOK_EVENT_TYPES)],
        created_by: principalOf(request).userId,
        created_at: clock(),
      };
      await db.insertInto('webhook_subscriptions').values(row).execute();
      return reply.code(201).send({
        id: row.id,
        url: row.url,
        events: row.event_types,
        active: true,
        createdAt: row.created_at.toISOString(),
        secret: row.secret,
      });
    },
  );

  app.delete(
    '/webhooks/subscriptions/:id',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'End a subscription: nothing more is queued for it; its delivery log stays',
        params: IdParams,
        response: replies({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const ended = isUuid(id)
        ? await db.updateTable('webhook_subscriptions').set({ active: false }).where('id', '=', id).returning('id').executeTakeFirst()
        : undefined;
      if (!ended) throw new NotFoundError('webhook subscription', id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/webhooks/deliveries/:id/redeliver',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again now (delivered, failed or still retrying), with a fresh signature',
        params: IdParams,
        response: replies({ 202: Type.Object({ id: Type.String(), status: Type.Literal('pending') }) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!isUuid(id) || !(await redeliver(ctx, id))) throw new NotFoundError('webhook delivery', id);
      return reply.code(202).send({ id, status: 'pending' as const });
    },
  );
};
