import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { addMinutes, startOfMinute } from '../../src/clock.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream, roomDayStream } from '../../src/events/bookings.js';
import { metadataOf } from '../../src/http/metadata.js';
import { Money, replies } from '../../src/http/schemas.js';
import { newId } from '../../src/ids.js';
import { bookingWindow } from '../../domain/venue/booking-window.js';
import { assertRoomTakes } from '../../domain/rooms/eligibility.js';
import { currentVenue } from '../venue/current.js';
import { roomDayDecider } from '../room-days/decider.js';
import { bookingDecider } from './decider.js';
import { roomFacts } from './room-facts.js';
import { GuestFields, type HoldInput } from './hold.js';
import { actorOf, priceFor, type Actor, type BookingContext } from './context.js';

/** 开台 for a party with no booking: the room is claimed from this minute and the party is in it at once. */
export async function startWalkIn(
  ctx: Pick<BookingContext, 'store' | 'clock'>,
  input: Omit<HoldInput, 'start' | 'guestId' | 'memberLevel'>,
  actor: Actor,
  metadata: EventMetadata,
) {
  const { store } = ctx;
  const now = ctx.clock();
  const [venue, room] = await Promise.all([currentVenue(store), roomFacts(store, input.roomId)]);
  assertRoomTakes(room, input.partySize);
  // A walk-in starts now, off the grid; only the duration is checked.
  const start = startOfMinute(now);
  const { businessDate, dayEnd } = bookingWindow({ ...venue, gridMinutes: 1 }, start, input.durationMinutes, start);
  const end = addMinutes(start, input.durationMinutes);
  const price = await priceFor(store, venue, room, start, input.durationMinutes, 'regular');
  const bookingId = newId<'booking'>();
  await handle(
    store,
    roomDayStream(room.id, businessDate),
    roomDayDecider,
    {
      type: 'Reserve',
      roomId: room.id,
      businessDate,
      bookingId,
      start,
      end,
      bufferMinutes: room.bufferMinutes,
      kind: 'walk_in',
      holdExpiresAt: null,
      dayEnd,
      now,
    },
    metadata,
  );
  const data = {
    bookingId,
    roomId: room.id,
    roomTypeId: room.roomTypeId,
    guestName: input.guestName,
    guestPhone: input.guestPhone,
    bookedBy: actor.userId,
    partySize: input.partySize,
    start: start.toISOString(),
    end: end.toISOString(),
    businessDate,
    price,
    at: now.toISOString(),
  };
  await handle(store, bookingStream(bookingId), bookingDecider, { type: 'StartWalkIn', data, now, by: actor.userId }, metadata);
  return data;
}

export const walkInRoute: FastifyPluginAsyncTypebox<BookingContext> = async (app, ctx) => {
  app.post(
    '/walk-ins',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['bookings'],
        summary: 'Open a free room now for a party with no booking (开台)',
        body: Type.Object(
          {
            roomId: Type.String({ maxLength: 64 }),
            durationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
            partySize: Type.Integer({ minimum: 1, maximum: 500 }),
            ...GuestFields,
          },
          { additionalProperties: false },
        ),
        response: replies({
          201: Type.Object({
            id: Type.String(),
            status: Type.Literal('checked_in'),
            roomId: Type.String(),
            start: Type.String(),
            end: Type.String(),
            price: Money,
          }),
        }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const input = {
        roomId: b.roomId,
        durationMinutes: b.durationMinutes,
        partySize: b.partySize,
        guestName: b.guestName ?? null,
        guestPhone: b.guestPhone ?? null,
      };
      const w = await startWalkIn(ctx, input, actorOf(request), metadataOf(request));
      return reply.code(201).send({
        id: w.bookingId,
        status: 'checked_in' as const,
        roomId: w.roomId,
        start: w.start,
        end: w.end,
        price: { total: w.price.total, currency: 'CNY' as const },
      });
    },
  );
};
