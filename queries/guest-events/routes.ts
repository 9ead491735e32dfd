import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import type { News } from '../../src/infra/news.js';
import { createTtlCache } from '../../src/infra/ttl-cache.js';
import { principalOf } from '../../src/http/access.js';
import { replies } from '../../src/http/schemas.js';
import { UnauthorizedError } from '../../src/errors.js';
import { HEARTBEAT_MS } from '../board/sse.js';
import { guestChannel, type GuestNotice } from '../../src/infra/guest-news.js';

export type GuestEventsContext = Readonly<{ news: News; redis: Redis | null }>;

/** Long enough to open a stream (and for EventSource to reconnect at once), short enough that a logged URL is worthless. */
export const TICKET_SECONDS = 30;

type Ticket = Readonly<{ userId: string }>;

/**
 * A guest's own stream: the outcome of a queued hold and a waitlist offer,
 * pushed as they happen. EventSource cannot send an Authorization header, so a
 * signed-in client first trades its token for a short-lived ticket and opens
 * `GET /me/events?ticket=…`.
 */
export const guestEvents: FastifyPluginAsyncTypebox<GuestEventsContext> = async (app, ctx) => {
  const tickets = createTtlCache(ctx.redis, 'ktv:event-tickets:');
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });

  app.post(
    '/me/event-tickets',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['busy nights'],
        summary: 'A ticket to open GET /me/events from a browser (EventSource cannot send the Authorization header)',
        description: `The ticket names the signed-in user and is good for ${TICKET_SECONDS} s, for any number of connections in that time.`,
        response: replies({ 201: Type.Object({ ticket: Type.String(), expiresIn: Type.Integer({ description: 'seconds' }) }) }),
      },
    },
    async (request, reply) => {
      const ticket = randomBytes(24).toString('base64url');
      await tickets.set(ticket, { userId: principalOf(request).userId } satisfies Ticket, TICKET_SECONDS);
      return reply.code(201).send({ ticket, expiresIn: TICKET_SECONDS });
    },
  );

  app.get(
    '/me/events',
    {
      // Authenticated by the ticket, checked below: one way for every client, EventSource included.
      config: { permission: 'public' },
      schema: {
        tags: ['busy nights'],
        summary: "The signed-in guest's own events as Server-Sent Events: queued holds decided, waitlist offers",
        description:
          '`event: booking-request` with `{id, status:"held"|"refused", bookingId?, problem?}` as `GET /booking-requests/:id` ' +
          'would answer, and `event: waitlist` with `{id, status:"offered", bookingId}`. Open with `?ticket=` from ' +
          '`POST /me/event-tickets`; an unknown or expired ticket is `401 invalid_ticket`. Delivery is at most once and there is no replay: on ' +
          '(re)connecting a client reads the requests and entries it waits on. A `:` comment line comes every 10 s.',
        querystring: Type.Object({ ticket: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: replies({ 200: Type.String({ description: 'text/event-stream' }) }),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const userId = (await tickets.get<Ticket>(request.query.ticket))?.userId;
      if (!userId) throw new UnauthorizedError('invalid_ticket', 'Open this stream with a fresh ticket from POST /me/event-tickets.');

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 1000\n\n');
      let ended = false;
      let unsubscribe: (() => Promise<void>) | null = null;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        streams.delete(end);
        void unsubscribe?.();
        res.end();
      };
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      streams.add(end);
      res.on('close', end);
      const stop = await ctx.news.subscribe(guestChannel(userId), (message) => {
        // A guest's notices are few: a client too slow for them has gone, and reads its state on reconnecting.
        if (ended || res.writableLength > 64 * 1024) return end();
        const { event, data } = JSON.parse(message) as GuestNotice;
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      });
      if (ended) await stop();
      else unsubscribe = stop;
    },
  );
};
