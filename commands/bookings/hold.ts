import { Type } from '@sinclair/typebox';
import { addMinutes } from '../../src/clock.js';
import { WrongExpectedVersionError, type EventMetadata, type EventStore } from '../../src/eventstore/port.js';
import { handle, handleAll, precheck, step } from '../../src/eventstore/decide.js';
import { bookingStream, guestHoldsStream, roomDayStream } from '../../src/events/bookings.js';
import type { MembershipLevel } from '../../src/events/users.js';
import { newId } from '../../src/ids.js';
import { bookingWindow } from '../../domain/venue/booking-window.js';
import { assertRoomTakes } from '../../domain/rooms/eligibility.js';
import { currentVenue } from '../venue/current.js';
import { assertReleased, currentReleases } from '../venue/releases.js';
import { roomDayDecider } from '../room-days/decider.js';
import { bookingDecider } from './decider.js';
import { roomFacts, type RoomFacts } from './room-facts.js';
import { roomStream } from '../../src/events/rooms.js';
import { endGuestHold, openGuestHold } from './guest-holds.js';
import { guestHoldsDecider } from '../guest-holds/decider.js';
import { holdPriceFor, type Actor, type BookingContext } from './context.js';

/** Optional contact details of a guest who has no account. */
export const GuestFields = {
  guestName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  guestPhone: Type.Optional(Type.String({ pattern: '^\\+?[0-9][0-9 -]{5,19}$' })),
};

export type HoldInput = Readonly<{
  roomId: string;
  start: Date;
  durationMinutes: number;
  partySize: number;
  guestId: string | null;
  /** The guest's membership level, as the caller found it when it checked who the guest is. */
  memberLevel: MembershipLevel;
  guestName: string | null;
  guestPhone: string | null;
  /** Given by a queued request (its id), so running the request again holds the same booking once. */
  bookingId?: string;
}>;

/**
 * Holds a room for a time: room time on the room-day stream, the hold counted
 * against the guest's limit on the guest's stream, the hold recorded on the
 * booking stream. Where the store appends to several streams atomically
 * (PostgreSQL) the three are one commit. Elsewhere (EventStoreDB) they are
 * steps of a process: the allowance first, room time next, the booking last;
 * each step recognises its own booking id, so a retry resumes, and a hold whose
 * booking record never got written stops occupying the room when its hold time
 * runs out.
 */
export async function holdBooking(ctx: Pick<BookingContext, 'store' | 'clock'>, input: HoldInput, actor: Actor, metadata: EventMetadata) {
  if (!ctx.store.atomicMultiStream) return holdOnce(ctx, input, actor, metadata, false);
  try {
    return await holdOnce(ctx, input, actor, metadata, true);
  } catch (err) {
    // The room had changed since this process last saw it (on another instance): decide on it as it is.
    if (err instanceof WrongExpectedVersionError && err.streamId === roomStream(input.roomId))
      return holdOnce(ctx, input, actor, metadata, false);
    throw err;
  }
}

/**
 * The room as this process remembers it (the append then proves it, see `roomFacts`), or as read
 * now; a refusal made on the remembered room is checked against a fresh read before it counts.
 */
async function roomTaking(store: EventStore, input: HoldInput, remembered: boolean): Promise<RoomFacts> {
  if (remembered) {
    try {
      const room = await roomFacts(store, input.roomId, { remembered });
      assertRoomTakes(room, input.partySize);
      return room;
    } catch {
      // Refused on what this process remembers, which may be stale: only a fresh read answers.
    }
  }
  const room = await roomFacts(store, input.roomId);
  assertRoomTakes(room, input.partySize);
  return room;
}

async function holdOnce(
  ctx: Pick<BookingContext, 'store' | 'clock'>,
  input: HoldInput,
  actor: Actor,
  metadata: EventMetadata,
  rememberedRoom: boolean,
) {
  const { store } = ctx;
  const now = ctx.clock();
  const [venue, room, releases] = await Promise.all([
    currentVenue(store),
    roomTaking(store, input, rememberedRoom),
    currentReleases(store),
  ]);
  const { businessDate, dayEnd } = bookingWindow(venue, input.start, input.durationMinutes, now);
  assertReleased(releases, businessDate, now);
  const bookingId = input.bookingId ?? newId<'booking'>();
  const end = addMinutes(input.start, input.durationMinutes);
  const holdExpiresAt = addMinutes(now, venue.holdMinutes);
  const reserve = {
    type: 'Reserve',
    roomId: room.id,
    businessDate,
    bookingId,
    start: input.start,
    end,
    bufferMinutes: room.bufferMinutes,
    kind: 'booking',
    holdExpiresAt,
    dayEnd,
    now,
  } as const;
  const { guestId } = input;
  const price = await holdPriceFor(store, venue, room, {
    start: input.start,
    minutes: input.durationMinutes,
    businessDate,
    memberLevel: input.memberLevel,
    guestId,
  });
  const dayStream = roomDayStream(room.id, businessDate);
  const data = {
    bookingId,
    roomId: room.id,
    roomTypeId: room.roomTypeId,
    guestId: input.guestId,
    guestName: input.guestName,
    guestPhone: input.guestPhone,
    bookedBy: actor.userId,
    partySize: input.partySize,
    start: input.start.toISOString(),
    end: end.toISOString(),
    businessDate,
    holdExpiresAt: holdExpiresAt.toISOString(),
    price,
    at: now.toISOString(),
  };
  const hold = { type: 'Hold', data, now, by: actor.userId } as const;
  const limit =
    guestId === null ? null : ({ type: 'Open', guestId, bookingId, holdExpiresAt, maxActiveHolds: venue.maxActiveHolds, now } as const);
  if (store.atomicMultiStream) {
    // One commit for the room time, the guest's allowance and the booking: a refusal on any writes nothing.
    await handleAll(
      store,
      [
        step(dayStream, roomDayDecider, reserve),
        ...(limit ? [step(guestHoldsStream(limit.guestId), guestHoldsDecider, limit)] : []),
        step(bookingStream(bookingId), bookingDecider, hold, 'new'),
      ],
      metadata,
      [{ streamId: roomStream(room.id), version: room.version }],
    );
    return data;
  }
  // A slot already taken is refused before the guest's allowance is touched: a crowd racing for one
  // room then writes nothing but the winner's events.
  await precheck(store, dayStream, roomDayDecider, reserve);
  if (limit) await openGuestHold(store, limit, metadata, now);
  try {
    await handle(store, dayStream, roomDayDecider, reserve, metadata);
  } catch (err) {
    // The room time went to someone else (or the step failed): the guest's allowance is not used up by it.
    await endGuestHold(store, { guestId, id: bookingId }, 'not_taken', metadata, now);
    throw err;
  }
  await handle(store, bookingStream(bookingId), bookingDecider, hold, metadata, 'new');
  return data;
}
