import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { addMinutes, startOfMinute } from '../../src/clock.js';
import type { VenueSettings } from '../../src/events/venue.js';
import { closingTime } from '../../domain/venue/settings.js';
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
import { roomFacts, type RoomFacts } from './room-facts.js';
import { GuestFields, type HoldInput } from './hold.js';
import { actorOf, priceFor, type Actor, type BookingContext } from './context.js';

/** What a walk-in asks for: a hold's input without a start or a guest, and no duration for open timing. */
export type WalkInInput = Omit<HoldInput, 'start' | 'guestId' | 'memberLevel' | 'durationMinutes'> &
  Readonly<{ durationMinutes: number | null }>;

/**
 * The room time a walk-in claims from `start`: its duration, or with open timing (no duration)
 * everything up to the next reservation, closing or the day's end, at least one billing unit.
 * Open timing claims that whole stretch so availability, holds and the board see the room taken
 * until check-out, which ends the claim at the minute the party leaves.
 */
async function claimRoomTime(
  store: BookingContext['store'],
  venue: VenueSettings,
  room: RoomFacts,
  bookingId: string,
  now: Date,
  durationMinutes: number | null,
  metadata: EventMetadata,
) {
  // A walk-in starts now, off the grid, from the minute.
  const start = startOfMinute(now);
  const unit = venue.billingUnitMinutes;
  // Only the duration is checked (open timing: one billing unit).
  const { businessDate, dayEnd } = bookingWindow(
    durationMinutes === null ? { ...venue, gridMinutes: 1, minDurationMinutes: 1 } : { ...venue, gridMinutes: 1 },
    start,
    durationMinutes ?? unit,
    start,
  );
  const target = { roomId: room.id, businessDate, bookingId, bufferMinutes: room.bufferMinutes, dayEnd, now };
  const command =
    durationMinutes === null
      ? { ...target, type: 'ReserveOpen' as const, start, minMinutes: unit, latestEnd: closingTime(businessDate, venue) }
      : {
          ...target,
          type: 'Reserve' as const,
          start,
          end: addMinutes(start, durationMinutes),
          kind: 'walk_in' as const,
          holdExpiresAt: null,
        };
  const { state } = await handle(store, roomDayStream(room.id, businessDate), roomDayDecider, command, metadata);
  const claimed = state.reservations.get(bookingId);
  if (!claimed) throw new Error('a reserved walk-in has no room time');
  return { businessDate, end: new Date(claimed.end) };
}

/** 开台 for a party with no booking: the room is claimed from this minute and the party is in it at once. */
export async function startWalkIn(ctx: Pick<BookingContext, 'store' | 'clock'>, input: WalkInInput, actor: Actor, metadata: EventMetadata) {
  const { store } = ctx;
  const now = ctx.clock();
  const [venue, room] = await Promise.all([currentVenue(store), roomFacts(store, input.roomId)]);
  assertRoomTakes(room, input.partySize);
  const start = startOfMinute(now);
  const open = input.durationMinutes === null;
  // Open timing records one billing unit's price: the least the stay costs; check-out prices the time used.
  const price = await priceFor(store, venue, room, start, input.durationMinutes ?? venue.billingUnitMinutes, 'regular');
  const bookingId = newId<'booking'>();
  const { businessDate, end } = await claimRoomTime(store, venue, room, bookingId, now, input.durationMinutes, metadata);
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
    ...(open ? { openTiming: true } : {}),
  };
  await handle(store, bookingStream(bookingId), bookingDecider, { type: 'StartWalkIn', data, now, by: actor.userId }, metadata);
  return { ...data, openTiming: open };
}

export const walkInRoute: FastifyPluginAsyncTypebox<BookingContext> = async (app, ctx) => {
  app.post(
    '/walk-ins',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['bookings'],
        summary: 'Open a free room now for a party with no booking (开台)',
        description:
          'Without `durationMinutes` the room opens with open timing: it is held until the next booking, closing or the day’s end, ' +
          '`price` is one billing unit (the least the stay costs), and check-out bills the time used by started billing units.',
        body: Type.Object(
          {
            roomId: Type.String({ maxLength: 64 }),
            durationMinutes: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: 1440,
                description: 'Left out: open timing, billed at check-out for the time used by started billing units (at least one)',
              }),
            ),
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
            end: Type.String({
              description: 'Open timing: the latest the room is free for the party (the next booking, closing or the day’s end)',
            }),
            price: Money,
            openTiming: Type.Boolean(),
          }),
        }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const input = {
        roomId: b.roomId,
        durationMinutes: b.durationMinutes ?? null,
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
        openTiming: w.openTiming,
      });
    },
  );
};
