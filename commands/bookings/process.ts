import { ConflictError, NotFoundError, UnprocessableError } from '../../src/errors.js';
import { handle, load } from '../../src/eventstore/decide.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { bookingStream, roomDayStream, type ReleaseReason } from '../../src/events/bookings.js';
import { quote, type Quote } from '../../src/pricing/quote.js';
import { businessDayBounds, type VenueSettings } from '../../src/venue/settings.js';
import { bookingWindow } from '../../src/venue/booking-window.js';
import { currentUser } from '../../src/auth/current-user.js';
import type { Platform } from '../../src/platform.js';
import { isUuid, newId } from '../../src/ids.js';
import { currentVenue, requireRateCard } from '../venue/current.js';
import { roomDayDecider } from '../room-days/decider.js';
import { bookingDecider, type Booking } from './decider.js';
import type { MembershipLevel } from '../../src/events/users.js';
import { roomFacts, type RoomFacts } from './room-facts.js';

/**
 * The booking life as processes over several streams. Room time is decided on
 * the room-day stream first; the booking stream records the result. Every step
 * is idempotent (it recognises its own booking id), so a crashed request can be
 * retried and a half-done process resumed. A hold whose booking record never got
 * written stops occupying the room when its hold time runs out.
 */

export type Actor = Readonly<{ userId: string; staff: boolean }>;

export async function loadBooking(platform: Platform, bookingId: string, actor: Actor): Promise<Booking> {
  if (!isUuid(bookingId)) throw new NotFoundError('booking', bookingId);
  const { state } = await load(platform.store, bookingStream(bookingId), bookingDecider);
  // A guest asking for someone else's booking learns nothing about whether it exists.
  if (state.status === 'none' || (!actor.staff && state.guestId !== actor.userId)) throw new NotFoundError('booking', bookingId);
  return state;
}

async function priceFor(platform: Platform, venue: VenueSettings, room: RoomFacts, start: Date, minutes: number, memberLevel: MembershipLevel): Promise<Quote> {
  return quote(await requireRateCard(platform.store), venue, { roomTypeId: room.roomTypeId, start, minutes, memberLevel });
}

/** A booking's guest's level now, for pricing changes to it (walk-ins have none: regular). */
async function levelOf(platform: Platform, guestId: string | null): Promise<MembershipLevel> {
  return (guestId ? await currentUser(platform.store, guestId) : null)?.membershipLevel ?? 'regular';
}

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
}>;

export async function holdBooking(platform: Platform, input: HoldInput, actor: Actor, metadata: EventMetadata, now = new Date()) {
  const { store } = platform;
  const [venue, room] = await Promise.all([currentVenue(store), roomFacts(store, input.roomId)]);
  const { businessDate, dayEnd } = bookingWindow(venue, input.start, input.durationMinutes, now);
  if (!room.inService) throw new ConflictError('room_out_of_service', `Room ${room.name} is out of service.`);
  if (input.partySize > room.capacity) {
    throw new UnprocessableError('party_too_large', `Room ${room.name} holds at most ${room.capacity} people.`, { field: 'partySize', capacity: room.capacity });
  }
  const bookingId = newId<'booking'>();
  const end = new Date(input.start.getTime() + input.durationMinutes * 60_000);
  const holdExpiresAt = new Date(now.getTime() + venue.holdMinutes * 60_000);
  const dayStream = roomDayStream(room.id, businessDate);
  const reserve = { type: 'Reserve', roomId: room.id, businessDate, bookingId, start: input.start, end, bufferMinutes: room.bufferMinutes, kind: 'booking', holdExpiresAt, dayEnd, now } as const;
  const price = await priceFor(platform, venue, room, input.start, input.durationMinutes, input.memberLevel);
  await handle(store, dayStream, roomDayDecider, reserve, metadata);
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
  await handle(store, bookingStream(bookingId), bookingDecider, { type: 'Hold', data, now, by: actor.userId }, metadata, 'new');
  return data;
}

export async function startWalkIn(
  platform: Platform,
  input: Omit<HoldInput, 'start' | 'guestId' | 'memberLevel'>,
  actor: Actor,
  metadata: EventMetadata,
  now = new Date(),
) {
  const { store } = platform;
  const [venue, room] = await Promise.all([currentVenue(store), roomFacts(store, input.roomId)]);
  if (!room.inService) throw new ConflictError('room_out_of_service', `Room ${room.name} is out of service.`);
  if (input.partySize > room.capacity) {
    throw new UnprocessableError('party_too_large', `Room ${room.name} holds at most ${room.capacity} people.`, { field: 'partySize', capacity: room.capacity });
  }
  // A walk-in starts now, off the grid; only the duration is checked.
  const start = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const { businessDate, dayEnd } = bookingWindow({ ...venue, gridMinutes: 1 }, start, input.durationMinutes, start);
  const end = new Date(start.getTime() + input.durationMinutes * 60_000);
  const price = await priceFor(platform, venue, room, start, input.durationMinutes, 'regular');
  const bookingId = newId<'booking'>();
  await handle(
    store,
    roomDayStream(room.id, businessDate),
    roomDayDecider,
    { type: 'Reserve', roomId: room.id, businessDate, bookingId, start, end, bufferMinutes: room.bufferMinutes, kind: 'walk_in', holdExpiresAt: null, dayEnd, now },
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

/**
 * Confirms a held booking once its deposit is paid: first on the room-day
 * stream (which refuses an expired hold, so a late payment cannot take time
 * someone else may already hold), then on the booking. Payments call this.
 */
export async function confirmBooking(platform: Platform, bookingId: string, payment: { paymentId: string | null; amount: number; by: string }, metadata: EventMetadata, now = new Date()) {
  const { state } = await load(platform.store, bookingStream(bookingId), bookingDecider);
  if (state.status === 'none') throw new NotFoundError('booking', bookingId);
  if (state.status === 'confirmed') return state;
  if (state.status !== 'held') throw new ConflictError(`booking_${state.status}`, `A ${state.status} booking cannot be confirmed.`);
  await handle(platform.store, roomDayStream(state.roomId, state.businessDate), roomDayDecider, { type: 'Confirm', roomId: state.roomId, businessDate: state.businessDate, bookingId, now }, metadata);
  const done = await handle(platform.store, bookingStream(bookingId), bookingDecider, { type: 'Confirm', paymentId: payment.paymentId, amount: payment.amount, now, by: payment.by }, metadata);
  return done.state;
}

async function release(platform: Platform, b: Booking, reason: ReleaseReason, metadata: EventMetadata, now: Date) {
  await handle(platform.store, roomDayStream(b.roomId, b.businessDate), roomDayDecider, { type: 'Release', roomId: b.roomId, businessDate: b.businessDate, bookingId: b.id, reason, now }, metadata);
}

export async function cancelBooking(platform: Platform, booking: Booking, input: { reason: string; override: boolean; by: string }, metadata: EventMetadata, now = new Date()) {
  const venue = await currentVenue(platform.store);
  const { state, events } = await handle(
    platform.store,
    bookingStream(booking.id),
    bookingDecider,
    { type: 'Cancel', reason: input.reason, override: input.override, fullRefundMinutesBefore: venue.fullRefundMinutesBefore, now, by: input.by },
    metadata,
  );
  if (state.status !== 'cancelled') throw new Error('cancel left the booking uncancelled');
  await release(platform, state, 'cancelled', metadata, now);
  const cancelled = events.find((e) => e.type === 'BookingCancelled');
  return { booking: state, refund: cancelled?.type === 'BookingCancelled' ? cancelled.data.refund : 0 };
}

/** Idempotent: the expiry job, the start-up sweep and a retry may all run it. */
export async function expireHold(platform: Platform, bookingId: string, now = new Date()): Promise<boolean> {
  const metadata = { actor: 'system', causationId: `expire:${bookingId}` };
  const { state, events } = await handle(platform.store, bookingStream(bookingId), bookingDecider, { type: 'Expire', now, by: 'system' }, metadata);
  if (state.status !== 'expired') return false;
  await release(platform, state, 'expired', metadata, now);
  return events.length > 0;
}

export async function checkIn(platform: Platform, booking: Booking, by: string, metadata: EventMetadata, now = new Date()) {
  const venue = await currentVenue(platform.store);
  return (await handle(platform.store, bookingStream(booking.id), bookingDecider, { type: 'CheckIn', opensMinutesBefore: venue.checkInOpensMinutesBefore, now, by }, metadata)).state;
}

export async function extendBooking(platform: Platform, booking: Booking, minutes: number, by: string, metadata: EventMetadata, now = new Date()) {
  const [venue, room] = await Promise.all([currentVenue(platform.store), roomFacts(platform.store, booking.roomId)]);
  if (minutes % venue.gridMinutes !== 0) throw new UnprocessableError('off_grid', `Extensions come in steps of ${venue.gridMinutes} minutes.`, { field: 'minutes' });
  if (booking.status !== 'confirmed' && booking.status !== 'checked_in') {
    throw new ConflictError(`booking_${booking.status}`, `A ${booking.status} booking cannot be extended.`);
  }
  const newEnd = new Date(booking.end.getTime() + minutes * 60_000);
  if ((newEnd.getTime() - booking.start.getTime()) / 60_000 > venue.maxDurationMinutes) {
    throw new UnprocessableError('invalid_duration', `Bookings last at most ${venue.maxDurationMinutes} minutes.`, { field: 'minutes' });
  }
  // The extra time is priced now, from where the booking ends, like a new purchase.
  const price = await priceFor(platform, venue, room, booking.end, minutes, await levelOf(platform, booking.guestId));
  const dayEnd = businessDayBounds(booking.businessDate, venue).end;
  await handle(platform.store, roomDayStream(booking.roomId, booking.businessDate), roomDayDecider, { type: 'Extend', roomId: booking.roomId, businessDate: booking.businessDate, bookingId: booking.id, end: newEnd, dayEnd, now }, metadata);
  const { state } = await handle(platform.store, bookingStream(booking.id), bookingDecider, { type: 'Extend', minutes, price, now, by }, metadata);
  return { booking: state, price };
}

/**
 * 换房: claim the new room first, then point the booking at it, then release
 * the old room. The booking names exactly one room at every moment; the old
 * room's time is held a moment longer, never the other way round.
 */
export async function moveBooking(platform: Platform, booking: Booking, toRoomId: string, by: string, metadata: EventMetadata, now = new Date()) {
  const { store } = platform;
  if (booking.roomId === toRoomId) return { booking, priceDifference: 0 };
  if (!['held', 'confirmed', 'checked_in'].includes(booking.status)) throw new ConflictError(`booking_${booking.status}`, `A ${booking.status} booking cannot be moved.`);
  const [venue, target] = await Promise.all([currentVenue(store), roomFacts(store, toRoomId)]);
  if (!target.inService) throw new ConflictError('room_out_of_service', `Room ${target.name} is out of service.`);
  if (booking.partySize > target.capacity) throw new UnprocessableError('party_too_large', `Room ${target.name} holds at most ${target.capacity} people.`, { field: 'roomId' });
  const minutes = (booking.end.getTime() - booking.start.getTime()) / 60_000;
  const price = await priceFor(platform, venue, target, booking.start, minutes, await levelOf(platform, booking.guestId));
  const dayEnd = businessDayBounds(booking.businessDate, venue).end;
  await handle(
    store,
    roomDayStream(target.id, booking.businessDate),
    roomDayDecider,
    {
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
      dayEnd,
      now,
    },
    metadata,
  );
  const { state, events } = await handle(store, bookingStream(booking.id), bookingDecider, { type: 'Move', toRoomId: target.id, toRoomTypeId: target.roomTypeId, newTotal: price.total, now, by }, metadata);
  await handle(store, roomDayStream(booking.roomId, booking.businessDate), roomDayDecider, { type: 'Release', roomId: booking.roomId, businessDate: booking.businessDate, bookingId: booking.id, reason: 'moved', now }, metadata);
  const moved = events.find((e) => e.type === 'BookingMoved');
  return { booking: state, priceDifference: moved?.type === 'BookingMoved' ? moved.data.priceDifference : 0 };
}

export async function checkOut(platform: Platform, booking: Booking, by: string, metadata: EventMetadata, now = new Date()) {
  const { state, events } = await handle(platform.store, bookingStream(booking.id), bookingDecider, { type: 'CheckOut', now, by }, metadata);
  if (state.status !== 'checked_out') throw new Error('check-out left the booking open');
  // The room is free again once its cleaning buffer after `now` has passed.
  await handle(platform.store, roomDayStream(state.roomId, state.businessDate), roomDayDecider, { type: 'End', roomId: state.roomId, businessDate: state.businessDate, bookingId: state.id, end: now, now }, metadata);
  const out = events.find((e) => e.type === 'BookingCheckedOut');
  return out?.type === 'BookingCheckedOut' ? out.data.bill : { total: state.amountPaid, paid: state.amountPaid, due: 0, currency: 'CNY' as const };
}

export async function markNoShow(platform: Platform, booking: Booking, by: string, metadata: EventMetadata, now = new Date()) {
  const venue = await currentVenue(platform.store);
  const { state, events } = await handle(platform.store, bookingStream(booking.id), bookingDecider, { type: 'MarkNoShow', graceMinutes: venue.noShowGraceMinutes, now, by }, metadata);
  await release(platform, state as Booking, 'no_show', metadata, now);
  const e = events.find((x) => x.type === 'BookingMarkedNoShow');
  return { booking: state as Booking, forfeited: e?.type === 'BookingMarkedNoShow' ? e.data.forfeited : 0 };
}
