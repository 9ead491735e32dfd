import { ConflictError, UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import { busyUntil, overlaps, stillCounts, type Occupancy } from '../../domain/rooms/occupancy.js';
import { MINUTE_MS } from '../../src/clock.js';
import type { ReleaseReason, ReservationKind, RoomDayEvent } from '../../src/events/bookings.js';

type Reservation = Readonly<{
  bookingId: string;
  start: number;
  end: number;
  bufferMinutes: number;
  kind: ReservationKind;
  holdExpiresAt: number | null;
  /** `cleaned`: ended, and the room was marked clean, so its buffer no longer holds the room. */
  status: 'live' | 'ended' | 'cleaned' | 'released';
}>;

/** Every reservation of one room on one business day. */
export type RoomDayState = Readonly<{ reservations: ReadonlyMap<string, Reservation> }>;

type Target = Readonly<{ roomId: string; businessDate: string; bookingId: string; now: Date }>;

export type RoomDayCommand =
  | (Target &
      Readonly<{
        type: 'Reserve';
        start: Date;
        end: Date;
        bufferMinutes: number;
        kind: ReservationKind;
        holdExpiresAt: Date | null;
        dayEnd: Date;
      }>)
  /**
   * Open timing: the room from `start` for as long as it is free, up to `latestEnd` (closing) and
   * the day's end with the buffer; refused unless at least `minMinutes` are free.
   */
  | (Target & Readonly<{ type: 'ReserveOpen'; start: Date; bufferMinutes: number; minMinutes: number; latestEnd: Date; dayEnd: Date }>)
  | (Target & Readonly<{ type: 'Confirm' }>)
  | (Target & Readonly<{ type: 'Extend'; end: Date; dayEnd: Date }>)
  | (Target & Readonly<{ type: 'End'; end: Date }>)
  | (Target & Readonly<{ type: 'Release'; reason: ReleaseReason }>)
  | (Omit<Target, 'bookingId'> & Readonly<{ type: 'Clean' }>);

const occupies = (r: Reservation, now: number) =>
  stillCounts({ released: r.status === 'released', cleaned: r.status === 'cleaned', holdExpiresAt: r.holdExpiresAt }, now);

function clash(state: RoomDayState, bookingId: string, candidate: Occupancy, now: number): boolean {
  for (const r of state.reservations.values()) {
    if (r.bookingId !== bookingId && occupies(r, now) && overlaps(r, candidate)) return true;
  }
  return false;
}

/**
 * How long an open-timed stay from `start` can hold the room: until the next live reservation
 * (less this stay's buffer), closing, or the day's end (less the buffer); `start` itself when a
 * reservation holds the room at `start` already.
 */
function openEnd(state: RoomDayState, c: Extract<RoomDayCommand, { type: 'ReserveOpen' }>, now: number): number {
  const start = c.start.getTime();
  const buffer = c.bufferMinutes * MINUTE_MS;
  let end = Math.min(c.latestEnd.getTime(), c.dayEnd.getTime() - buffer);
  for (const r of state.reservations.values()) {
    if (r.bookingId === c.bookingId || !occupies(r, now)) continue;
    if (r.start >= start) end = Math.min(end, r.start - buffer);
    else if (busyUntil(r) > start) return start;
  }
  return end;
}

const slotTaken = () => new ConflictError('slot_taken', 'The room is not free for that time (cleaning buffer included).');

/** Every stay checked out and not yet cleaned ends its buffer now; a room with none is not waiting for cleaning. */
function clean(state: RoomDayState, roomId: string, businessDate: string, at: string): RoomDayEvent[] {
  const waiting = [...state.reservations.values()].filter((r) => r.status === 'ended');
  if (waiting.length === 0) throw new ConflictError('not_cleaning', 'The room is not waiting for cleaning.');
  return waiting.map((r) => ({ type: 'RoomCleaned', data: { roomId, businessDate, bookingId: r.bookingId, at } }));
}

export const roomDayDecider: Decider<RoomDayState, RoomDayCommand, RoomDayEvent> = {
  initialState: () => ({ reservations: new Map() }),
  evolve: (state, e) => {
    const reservations = new Map(state.reservations);
    const r = reservations.get(e.data.bookingId);
    switch (e.type) {
      case 'RoomTimeReserved':
        reservations.set(e.data.bookingId, {
          bookingId: e.data.bookingId,
          start: Date.parse(e.data.start),
          end: Date.parse(e.data.end),
          bufferMinutes: e.data.bufferMinutes,
          kind: e.data.kind,
          holdExpiresAt: e.data.holdExpiresAt ? Date.parse(e.data.holdExpiresAt) : null,
          status: 'live',
        });
        break;
      case 'RoomTimeConfirmed':
        if (r) reservations.set(r.bookingId, { ...r, holdExpiresAt: null });
        break;
      case 'RoomTimeExtended':
        if (r) reservations.set(r.bookingId, { ...r, end: Date.parse(e.data.end) });
        break;
      case 'RoomTimeEnded':
        if (r) reservations.set(r.bookingId, { ...r, end: Date.parse(e.data.end), status: 'ended' });
        break;
      case 'RoomTimeReleased':
        if (r) reservations.set(r.bookingId, { ...r, status: 'released' });
        break;
      case 'RoomCleaned':
        if (r) reservations.set(r.bookingId, { ...r, status: 'cleaned' });
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown room-day event ${JSON.stringify(never)}`);
      }
    }
    return { reservations };
  },
  decide: (c, state) => {
    const now = c.now.getTime();
    const at = c.now.toISOString();
    if (c.type === 'Clean') return clean(state, c.roomId, c.businessDate, at);
    const base = { roomId: c.roomId, businessDate: c.businessDate, bookingId: c.bookingId, at };
    const own = state.reservations.get(c.bookingId);
    switch (c.type) {
      case 'Reserve': {
        if (own && own.status !== 'released') return []; // a retried step of the same booking
        if (busyUntil({ end: c.end.getTime(), bufferMinutes: c.bufferMinutes }) > c.dayEnd.getTime()) {
          throw new UnprocessableError(
            'crosses_business_day',
            'The booking and its cleaning buffer must end by the end of the business day.',
          );
        }
        if (clash(state, c.bookingId, { start: c.start.getTime(), end: c.end.getTime(), bufferMinutes: c.bufferMinutes }, now))
          throw slotTaken();
        return [
          {
            type: 'RoomTimeReserved',
            data: {
              ...base,
              start: c.start.toISOString(),
              end: c.end.toISOString(),
              bufferMinutes: c.bufferMinutes,
              kind: c.kind,
              holdExpiresAt: c.holdExpiresAt?.toISOString() ?? null,
            },
          },
        ];
      }
      case 'ReserveOpen': {
        if (own && own.status !== 'released') return []; // a retried step of the same walk-in
        const end = openEnd(state, c, now);
        if (end - c.start.getTime() < c.minMinutes * MINUTE_MS) throw slotTaken();
        return [
          {
            type: 'RoomTimeReserved',
            data: {
              ...base,
              start: c.start.toISOString(),
              end: new Date(end).toISOString(),
              bufferMinutes: c.bufferMinutes,
              kind: 'walk_in',
              holdExpiresAt: null,
              openTiming: true,
            },
          },
        ];
      }
      case 'Confirm':
        if (!own || own.status === 'released' || !occupies(own, now)) {
          throw new ConflictError('hold_expired', 'The hold on this room time has expired.');
        }
        return own.holdExpiresAt === null ? [] : [{ type: 'RoomTimeConfirmed', data: base }];
      case 'Extend': {
        if (!own || !occupies(own, now) || own.status !== 'live')
          throw new ConflictError('not_reserved', 'This booking holds no room time to extend.');
        if (c.end.getTime() <= own.end) return [];
        if (busyUntil({ end: c.end.getTime(), bufferMinutes: own.bufferMinutes }) > c.dayEnd.getTime()) {
          throw new UnprocessableError(
            'crosses_business_day',
            'The booking and its cleaning buffer must end by the end of the business day.',
          );
        }
        if (clash(state, c.bookingId, { ...own, end: c.end.getTime() }, now)) throw slotTaken();
        return [{ type: 'RoomTimeExtended', data: { ...base, end: c.end.toISOString() } }];
      }
      case 'End':
        if (!own || own.status !== 'live') return [];
        return [{ type: 'RoomTimeEnded', data: { ...base, end: new Date(Math.min(own.end, c.end.getTime())).toISOString() } }];
      case 'Release':
        if (!own || own.status !== 'live') return [];
        return [{ type: 'RoomTimeReleased', data: { ...base, reason: c.reason } }];
      default: {
        const never: never = c;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};

/** Live reservations at `now`, for the invariant checks in tests and benchmarks. */
export function occupying(state: RoomDayState, now: Date): Reservation[] {
  return [...state.reservations.values()].filter((r) => occupies(r, now.getTime()));
}
