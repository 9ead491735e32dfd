import { MINUTE_MS } from '../../src/clock.js';

/** What the room board shows for a room (see the README's "The live floor"). */
export type RoomState = 'free' | 'reserved' | 'occupied' | 'overtime' | 'cleaning' | 'out_of_service';

/** A booking that is still to arrive or in the room; bookings that are over are not facts of the board. */
export type Stay = Readonly<{
  bookingId: string;
  start: number;
  end: number;
  status: 'held' | 'confirmed' | 'checked_in';
  partySize: number;
  /** Set while the booking is an unconfirmed hold: it stops counting then. */
  holdExpiresAt: number | null;
  /** A walk-in with no set duration (计时): `end` is the latest it may stay, not a time it booked. */
  openTiming?: boolean;
}>;

/** What the board knows of a room apart from the clock. */
export type RoomFacts = Readonly<{ inService: boolean; cleaningSince: number | null; stays: readonly Stay[] }>;

export type RoomView = Readonly<{ state: RoomState; booking: Stay | null; next: Stay | null }>;

const counts = (s: Stay, now: number) => s.status !== 'held' || (s.holdExpiresAt !== null && s.holdExpiresAt > now);
const byStart = (a: Stay, b: Stay) => a.start - b.start || a.bookingId.localeCompare(b.bookingId);

/**
 * The room at `now`: out of service first (staff said so), then a party in it
 * (`overtime` once past its end), then a stay waiting for cleaning, then
 * `reserved` when the next arrival starts within `windowMinutes`, else free.
 * `booking` is the party in the room, or the next to arrive; `next` the one
 * arriving after `booking`.
 */
export function roomView(f: RoomFacts, now: number, windowMinutes: number): RoomView {
  const live = f.stays.filter((s) => counts(s, now)).sort(byStart);
  const inRoom = live.find((s) => s.status === 'checked_in') ?? null;
  const arriving = live.filter((s) => s.status !== 'checked_in');
  const booking = inRoom ?? arriving[0] ?? null;
  const next = (inRoom ? arriving[0] : arriving[1]) ?? null;
  return { state: stateOf(f, now, windowMinutes, inRoom, arriving[0] ?? null), booking, next };
}

function stateOf(f: RoomFacts, now: number, windowMinutes: number, inRoom: Stay | null, arriving: Stay | null): RoomState {
  if (!f.inService) return 'out_of_service';
  if (inRoom) return now >= inRoom.end ? 'overtime' : 'occupied';
  if (f.cleaningSince !== null) return 'cleaning';
  if (arriving && arriving.start - windowMinutes * MINUTE_MS <= now) return 'reserved';
  return 'free';
}

/**
 * The first instant after `now` at which the clock alone changes the room's
 * view (a reserved window opening, overtime beginning, a hold running out),
 * or null when nothing is due. The floor clock records a tick then.
 */
export function nextChange(f: RoomFacts, now: number, windowMinutes: number): number | null {
  const due: number[] = [];
  for (const s of f.stays) {
    if (!counts(s, now)) continue;
    if (s.status === 'checked_in') due.push(s.end);
    else due.push(s.start - windowMinutes * MINUTE_MS);
    if (s.status === 'held' && s.holdExpiresAt !== null) due.push(s.holdExpiresAt);
  }
  const later = due.filter((t) => t > now);
  return later.length > 0 ? Math.min(...later) : null;
}
