import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { currentVenue } from '../venue/current.js';
import { bookingDecider } from './decider.js';
import { actorOf, loadBooking, type BookingContext } from './context.js';

export const checkInRoute: FastifyPluginAsyncTypebox<BookingContext> = async (app, { store, clock }) => {
  app.post(
    '/bookings/:id/check-in',
    {
      config: { permission: 'booking:check_in' },
      schema: {
        tags: ['bookings'],
        summary: 'Open the room for a confirmed booking, from 30 minutes before its start',
        params: IdParams,
        response: replies({ 200: Type.Object({ id: Type.String(), status: Type.Literal('checked_in') }) }),
      },
    },
    async (request) => {
      const booking = await loadBooking(store, request.params.id, actorOf(request));
      const venue = await currentVenue(store);
      const command = {
        type: 'CheckIn',
        opensMinutesBefore: venue.checkInOpensMinutesBefore,
        now: clock(),
        by: actorOf(request).userId,
      } as const;
      await handle(store, bookingStream(booking.id), bookingDecider, command, metadataOf(request));
      return { id: booking.id, status: 'checked_in' as const };
    },
  );
};
