import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { minutesBetween } from '../../src/clock.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream, roomDayStream } from '../../src/events/bookings.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { ConflictError } from '../../src/errors.js';
import { businessDayBounds } from '../../domain/venue/settings.js';
import { assertRoomTakes } from '../../domain/rooms/eligibility.js';
import { currentVenue } from '../venue/current.js';
import { roomDayDecider } from '../room-days/decider.js';
import { billOf, bookingDecider, type Booking } from './decider.js';
import { roomFacts } from './room-facts.js';
import { releaseRoomTime } from './release.js';
import { actorOf, levelOf, loadBooking, priceFor, type BookingContext } from './context.js';

/**
 * 换房: claim the new room first, then point the booking at it, then release
 * the old room. The booking names exactly one room at every moment; the old
 * room's time is held a moment longer, never the other way round.
 */
export async function moveBooking(
  ctx: Pick<BookingContext, 'store' | 'clock'>,
  booking: Booking,
  toRoomId: string,
  by: string,
  metadata: EventMetadata,
) {
  const { store } = ctx;
  const now = ctx.clock();
  if (booking.roomId === toRoomId) return { booking, priceDifference: 0 };
  if (!['held', 'confirmed', 'checked_in'].includes(booking.status))
    throw new ConflictError(`booking_${booking.status}`, `A ${booking.status} booking cannot be moved.`);
  const [venue, target] = await Promise.all([currentVenue(store), roomFacts(store, toRoomId)]);
  assertRoomTakes(target, booking.partySize, 'roomId');
  const price = await priceFor(
    store,
    venue,
    target,
    booking.start,
    minutesBetween(booking.start, booking.end),
    await levelOf(store, booking.guestId),
  );
  const reserve = {
    type: 'Reserve',
    roomId: target.id,
    businessDate: booking.businessDate,
    bookingId: booking.id,
    start: booking.start,
    end: booking.end,
    bufferMinutes: target.bufferMinutes,
    kind: 'booking',
    // A moved hold keeps its expiry; a confirmed booking holds the new room outright.
    holdExpiresAt: booking.status === 'held' ? booking.holdExpiresAt : null,
    dayEnd: businessDayBounds(booking.businessDate, venue).end,
    now,
  } as const;
  await handle(store, roomDayStream(target.id, booking.businessDate), roomDayDecider, reserve, metadata);
  const { state, events } = await handle(
    store,
    bookingStream(booking.id),
    bookingDecider,
    {
      type: 'Move',
      toRoomId: target.id,
      toRoomTypeId: target.roomTypeId,
      newTotal: price.total,
      minimumSpend: price.breakdown.minimumSpend.amount,
      now,
      by,
    },
    metadata,
  );
  await releaseRoomTime(store, booking, 'moved', metadata, now);
  const moved = events.find((e) => e.type === 'BookingMoved');
  return { booking: state, priceDifference: moved?.type === 'BookingMoved' ? moved.data.priceDifference : 0 };
}

export const moveRoute: FastifyPluginAsyncTypebox<BookingContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/move',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['bookings'],
        summary: 'Move the party to another free room (换房); the price difference goes on the bill',
        params: IdParams,
        body: Type.Object({ roomId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        response: replies({
          200: Type.Object({ id: Type.String(), roomId: Type.String(), priceDifference: Type.Integer(), total: Type.Integer() }),
        }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const { booking: after, priceDifference } = await moveBooking(ctx, booking, request.body.roomId, actor.userId, metadataOf(request));
      if (after.status === 'none') throw new Error('moved booking vanished');
      return { id: booking.id, roomId: after.roomId, priceDifference, total: billOf(after).total };
    },
  );
};
