import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { News } from '../../src/infra/news.js';
import { replies } from '../../src/http/schemas.js';
import type { ReadModels } from '../../projections/read-models.js';
import { BoardFeed } from './feed.js';
import { serveEvents } from './sse.js';

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
};
