import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql, type QueryExecutorProvider } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { waitlistStream } from '../../src/events/bookings.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { NotFoundError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import { bookingWindow } from '../../domain/venue/booking-window.js';
import { currentVenue } from '../venue/current.js';
import { actorOf } from '../bookings/context.js';
import { waitlistDecider } from './decider.js';

export type WaitlistContext = Readonly<{ store: EventStore; clock: Clock; db: QueryExecutorProvider }>;

/** Waiting entries of a business date that joined before this one, for the place a guest is told. */
async function placeOf(db: QueryExecutorProvider, businessDate: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM rm.waitlist_entries WHERE business_date = ${businessDate} AND status = 'waiting'`.execute(db);
  return (rows[0]?.n ?? 0) + 1;
}

export const waitlistCommands: FastifyPluginAsyncTypebox<WaitlistContext> = async (app, ctx) => {
  app.post(
    '/waitlist',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['busy nights'],
        summary: 'Wait for a room: when one that fits frees up, the first guest waiting gets it held in their name',
        body: Type.Object(
          {
            start: Type.String({ format: 'date-time', maxLength: 40 }),
            durationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
            partySize: Type.Integer({ minimum: 1, maximum: 500 }),
            type: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'a room type id' })),
          },
          { additionalProperties: false },
        ),
        response: replies({ 201: Type.Object({ id: Type.String(), position: Type.Integer({ minimum: 1 }) }) }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const now = ctx.clock();
      const start = new Date(request.body.start);
      const { businessDate } = bookingWindow(await currentVenue(ctx.store), start, request.body.durationMinutes, now);
      const id = newId<'waitlist'>();
      const position = await placeOf(ctx.db, businessDate);
      const wish = {
        guestId: actor.userId,
        businessDate,
        start: start.toISOString(),
        durationMinutes: request.body.durationMinutes,
        partySize: request.body.partySize,
        roomTypeId: request.body.type ?? null,
      };
      await handle(ctx.store, waitlistStream(id), waitlistDecider, { type: 'Join', entryId: id, wish, now }, metadataOf(request), 'new');
      return reply.code(201).send({ id, position });
    },
  );

  app.post(
    '/waitlist/:id/leave',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['busy nights'],
        summary: 'Leave the waitlist (an entry already offered a room keeps its booking; cancel that instead)',
        params: IdParams,
        response: replies({ 200: Type.Object({ id: Type.String(), status: Type.Literal('cancelled') }) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { id } = request.params;
      const stream = waitlistStream(id);
      const { state } = isUuid(id) ? await load(ctx.store, stream, waitlistDecider) : { state: { status: 'none' as const } };
      if (state.status === 'none' || (!actor.staff && state.guestId !== actor.userId)) throw new NotFoundError('waitlist entry', id);
      await handle(ctx.store, stream, waitlistDecider, { type: 'Leave', entryId: id, now: ctx.clock() }, metadataOf(request));
      return { id, status: 'cancelled' as const };
    },
  );
};
