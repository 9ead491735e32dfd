import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { currentVenue } from '../venue/current.js';
import { bookingDecider, type Booking } from './decider.js';
import { releaseRoomTime } from './release.js';
import { actorOf, loadBooking, type BookingContext } from './context.js';

export const noShowRoute: FastifyPluginAsyncTypebox<BookingContext> = async (app, { store, clock }) => {
  app.post(
    '/bookings/:id/no-show',
    {
      config: { permission: 'booking:check_in' },
      schema: {
        tags: ['bookings'],
        summary: 'Mark a confirmed booking a no-show after the grace period; the deposit is forfeited and the room released',
        params: IdParams,
        response: replies({ 200: Type.Object({ id: Type.String(), status: Type.Literal('no_show'), forfeited: Type.Integer() }) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(store, request.params.id, actor);
      const now = clock();
      const metadata = metadataOf(request);
      const venue = await currentVenue(store);
      const { state, events } = await handle(
        store,
        bookingStream(booking.id),
        bookingDecider,
        { type: 'MarkNoShow', graceMinutes: venue.noShowGraceMinutes, now, by: actor.userId },
        metadata,
      );
      await releaseRoomTime(store, state as Booking, 'no_show', metadata, now);
      const e = events.find((x) => x.type === 'BookingMarkedNoShow');
      return { id: booking.id, status: 'no_show' as const, forfeited: e?.type === 'BookingMarkedNoShow' ? e.data.forfeited : 0 };
    },
  );
};
