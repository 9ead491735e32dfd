import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { News } from '../../src/infra/news.js';
import { replies } from '../../src/http/schemas.js';
import { BadRequestError } from '../../src/errors.js';
import type { ReadModels } from '../../projections/read-models.js';
import { BoardFeed } from './feed.js';
import websocket from '@fastify/websocket';
import { serveEvents } from './sse.js';
import { serveSocket } from './socket.js';

export type BoardContext = Readonly<{
  readModels: Kysely<ReadModels>;
  news: News;
  clock: Clock;
  config: Readonly<{ boardResyncMs: number }>;
}>;

const BoardBooking = Type.Union([
  Type.Object({
    id: Type.String(),
    start: Type.String({ format: 'date-time' }),
    end: Type.String({ format: 'date-time' }),
    status: Type.Union([Type.Literal('held'), Type.Literal('confirmed'), Type.Literal('checked_in')]),
    partySize: Type.Integer(),
    openTiming: Type.Optional(
      Type.Literal(true, {
        description: 'Only on an open-timed walk-in (计时): `end` is the latest it may stay; billed for the time used',
      }),
    ),
  }),
  Type.Null(),
]);

export const BoardRoomSchema = Type.Object({
  roomId: Type.String(),
  name: Type.String(),
  type: Type.String(),
  capacity: Type.Integer(),
  state: Type.Union(
    ['free', 'reserved', 'occupied', 'overtime', 'cleaning', 'out_of_service'].map((s) => Type.Literal(s)),
    {
      description:
        'See the README: free, reserved (a booking starts within the reserved window), occupied, overtime, cleaning, out_of_service',
    },
  ),
  booking: BoardBooking,
  next: BoardBooking,
  since: Type.String({ format: 'date-time', description: 'When the room entered this state' }),
});

/** The live floor for staff: the board now, and every change of it as Server-Sent Events. */
export const boardQueries: FastifyPluginAsyncTypebox<BoardContext> = async (app, ctx) => {
  // A subscribe message is a few dozen bytes: nothing larger is read.
  await app.register(websocket, { options: { maxPayload: 1024 } });
  // An upgrade refused by the access check (401, 403) never reaches the plugin's own clean-up, which
  // would leave the socket half open after the answer: end it here.
  app.addHook('onResponse', async (request) => {
    if (request.headers.upgrade !== undefined && !request.ws) request.raw.socket.destroy();
  });
  const feed = new BoardFeed(ctx.readModels, ctx.news, ctx.config.boardResyncMs);
  await feed.start();
  const streams = new Set<() => void>();
  // Open streams never end by themselves: end them first, or closing would wait for them.
  app.addHook('preClose', async () => {
    for (const end of streams) end();
    await feed.stop();
  });

  app.get(
    '/board',
    {
      config: { permission: 'booking:read' },
      schema: {
        tags: ['board'],
        summary: 'Every room with its state, the party in it or next to arrive, and since when (served from memory)',
        response: replies({ 200: Type.Object({ asOf: Type.String({ format: 'date-time' }), rooms: Type.Array(BoardRoomSchema) }) }),
      },
    },
    async () => ({ asOf: ctx.clock().toISOString(), rooms: feed.rooms() }),
  );

  app.get(
    '/board/events',
    {
      config: { permission: 'booking:read' },
      schema: {
        tags: ['board'],
        summary: 'The board live, as Server-Sent Events: `event: room` with the room as in GET /board; resume with Last-Event-ID',
        description:
          'Without `Last-Event-ID` the stream starts with every room as it is. Each change is one `room` event whose `id` is ' +
          '`<event feed position>.<n>`; reconnecting with that id sends every change after it, none twice. A `:` comment line ' +
          'comes at least every 15 s. A client that stops reading is disconnected and resumes from its last id.',
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 64 })) }),
        response: replies({ 200: Type.String({ description: 'text/event-stream' }) }),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      serveEvents(reply, feed, request.headers['last-event-id'] ?? null, streams, app.log);
    },
  );

  // `wsHandler` beside a plain handler, rather than `websocket: true`, which the plugin hides from the OpenAPI document.
  app.route({
    method: 'GET',
    url: '/board/socket',
    config: { permission: 'booking:read' },
    schema: {
      tags: ['board'],
      summary: 'The board live over WebSocket: the same room changes and ids as GET /board/events',
      description:
        'Upgrade with `Authorization: Bearer <token>`, then send `{"type":"subscribe"}` (or `{"type":"subscribe","lastEventId":"<id>"}` ' +
        'to resume). Each change arrives as `{"type":"room","id":"<event feed position>.<n>","room":{…as in GET /board}}`; without an id ' +
        'the first messages are every room as it is. The server pings every 10 s and drops a client that did not answer the previous ' +
        'ping; a client that stops reading is disconnected and resumes from the id of the last message it received. Any other ' +
        'message closes the socket with 1008. A plain GET (no upgrade) is `400 upgrade_required`.',
      response: replies({ 101: Type.Null({ description: 'Switching Protocols: the WebSocket is open' }) }),
    },
    handler: async () => {
      throw new BadRequestError('upgrade_required', 'Open this route as a WebSocket (Upgrade: websocket).');
    },
    wsHandler: (socket) => serveSocket(socket, feed, streams, app.log),
  });
};
