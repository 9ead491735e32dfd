import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { roomDayStream } from '../../src/events/bookings.js';
import { roomStream } from '../../src/events/rooms.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { AppError, NotFoundError } from '../../src/errors.js';
import { isUuid } from '../../src/ids.js';
import type { Clock } from '../../src/clock.js';
import { addDays } from '../../domain/venue/time.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { roomDecider } from '../rooms/decider.js';
import { currentVenue } from '../venue/current.js';
import { roomDayDecider } from './decider.js';

export type CleanedContext = Readonly<{ store: EventStore; clock: Clock }>;

const notCleaning = (err: unknown) => err instanceof AppError && err.code === 'not_cleaning';

/**
 * 已清洁: staff mark a checked-out room clean, which ends its cleaning buffer, so
 * a walk-in right after is accepted. A party that left just before the
 * business day turned (05:55, cleaned at 06:10) is on the previous day's stream.
 */
export const cleanedRoute: FastifyPluginAsyncTypebox<CleanedContext> = async (app, { store, clock }) => {
  app.post(
    '/rooms/:id/cleaned',
    {
      config: { permission: 'room:service' },
      schema: {
        tags: ['rooms'],
        summary: 'Mark a checked-out room clean (已清洁): its cleaning buffer ends now',
        description: '`409 not_cleaning` when no party has checked out of the room since it was last marked clean.',
        params: IdParams,
        response: replies({ 200: Type.Object({ roomId: Type.String(), state: Type.Literal('free') }) }),
      },
    },
    async (request) => {
      const roomId = request.params.id;
      if (!isUuid(roomId)) throw new NotFoundError('room', roomId);
      const [{ state: room }, venue] = await Promise.all([load(store, roomStream(roomId), roomDecider), currentVenue(store)]);
      if (room.status === 'none') throw new NotFoundError('room', roomId);
      const now = clock();
      const today = businessDateOf(now, venue);
      const clean = (businessDate: string) =>
        handle(
          store,
          roomDayStream(roomId, businessDate),
          roomDayDecider,
          { type: 'Clean', roomId, businessDate, now },
          metadataOf(request),
        );
      try {
        await clean(today);
      } catch (err) {
        if (!notCleaning(err)) throw err;
        await clean(addDays(today, -1));
      }
      return { roomId, state: 'free' as const };
    },
  );
};
