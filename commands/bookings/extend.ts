import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { addMinutes, minutesBetween } from '../../src/clock.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream, roomDayStream } from '../../src/events/bookings.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { ConflictError, UnprocessableError } from '../../src/errors.js';
import { businessDayBounds } from '../../domain/venue/settings.js';
import { currentVenue } from '../venue/current.js';
import { roomDayDecider } from '../room-days/decider.js';
import { billOf, bookingDecider, type Booking } from './decider.js';
import { roomFacts } from './room-facts.js';
import { actorOf, levelOf, loadBooking, priceFor, type BookingContext } from './context.js';

/**
 * 续时: the extra time is claimed on the room-day stream (refused when the room
 * is taken after the booking, buffer included), priced now from where the
 * booking ends like a new purchase, and added to the booking's bill.
 */
export async function extendBooking(
  ctx: Pick<BookingContext, 'store' | 'clock'>,
  booking: Booking,
  minutes: number,
  by: string,
  metadata: EventMetadata,
) {
  const { store } = ctx;
  const now = ctx.clock();
  const [venue, room] = await Promise.all([currentVenue(store), roomFacts(store, booking.roomId)]);
  if (minutes % venue.gridMinutes !== 0)
    throw new UnprocessableError('off_grid', `Extensions come in steps of ${venue.gridMinutes} minutes.`, { field: 'minutes' });
  if (booking.status !== 'confirmed' && booking.status !== 'checked_in') {
    throw new ConflictError(`booking_${booking.status}`, `A ${booking.status} booking cannot be extended.`);
  }
  // Checked before any room time is claimed: an open-timed stay already holds the room as long as it can.
  if (booking.openTiming)
    throw new ConflictError('open_timing', 'An open-timed room is billed for the time used; it has no end to extend.');
  const newEnd = addMinutes(booking.end, minutes);
  if (minutesBetween(booking.start, newEnd) > venue.maxDurationMinutes) {
    throw new UnprocessableError('invalid_duration', `Bookings last at most ${venue.maxDurationMinutes} minutes.`, { field: 'minutes' });
  }
  const price = await priceFor(store, venue, room, booking.end, minutes, await levelOf(store, booking.guestId));
  const dayEnd = businessDayBounds(booking.businessDate, venue).end;
  await handle(
    store,
    roomDayStream(booking.roomId, booking.businessDate),
    roomDayDecider,
    { type: 'Extend', roomId: booking.roomId, businessDate: booking.businessDate, bookingId: booking.id, end: newEnd, dayEnd, now },
    metadata,
  );
  const { state, events } = await handle(
    store,
    bookingStream(booking.id),
    bookingDecider,
    { type: 'Extend', from: booking.end, minutes, price, now, by },
    metadata,
  );
  const extended = events.find((e) => e.type === 'BookingExtended');
  // Nothing appended: this extension was already recorded, and billed, once.
  return { booking: state, extension: extended?.type === 'BookingExtended' ? extended.data.price.total : 0 };
}

export const extendRoute: FastifyPluginAsyncTypebox<BookingContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/extend',
    {
      config: { permission: 'booking:check_in' },
      schema: {
        tags: ['bookings'],
        summary: 'Add time (续时); 409 slot_taken when the room is not free for it',
        params: IdParams,
        body: Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 720 }) }, { additionalProperties: false }),
        response: replies({
          200: Type.Object({
            id: Type.String(),
            end: Type.String(),
            price: Type.Object({ total: Type.Integer(), extension: Type.Integer(), currency: Type.Literal('CNY') }),
          }),
        }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const { booking: after, extension } = await extendBooking(ctx, booking, request.body.minutes, actor.userId, metadataOf(request));
      if (after.status === 'none') throw new Error('extended booking vanished');
      return { id: booking.id, end: after.end.toISOString(), price: { total: billOf(after).total, extension, currency: 'CNY' as const } };
    },
  );
};
