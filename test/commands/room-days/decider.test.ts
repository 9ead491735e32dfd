import t from 'tap';
import { occupying, roomDayDecider, type RoomDayCommand } from '../../../commands/room-days/decider.js';
import { ConflictError, UnprocessableError } from '../../../src/errors.js';
import type { ReleaseReason, ReservationKind, RoomDayEvent } from '../../../src/events/bookings.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/**
 * The no-double-booking core: one stream per room and business day. Room S01,
 * business day Friday 2026-03-13, which runs from 06:00 to 06:00 the next
 * morning (Asia/Shanghai, UTC+8). Rooms are cleaned for 15 minutes after each
 * stay; a reservation occupies [start, end + buffer).
 */
const spec = DeciderSpecification.for(roomDayDecider);

const local = (dateTime: string) => new Date(`${dateTime.replace(' ', 'T')}:00+08:00`);
const iso = (dateTime: string) => local(dateTime).toISOString();

const ROOM = 'room-s01';
const DATE = '2026-03-13';
const DAY_END = local('2026-03-14 06:00');
const BUFFER = 15;

type Times = Readonly<{
  start: string;
  end: string;
  at?: string;
  holdExpiresAt?: string | null;
  kind?: ReservationKind;
  bufferMinutes?: number;
}>;

const reserved = (bookingId: string, r: Times): RoomDayEvent => ({
  type: 'RoomTimeReserved',
  data: {
    roomId: ROOM,
    businessDate: DATE,
    bookingId,
    start: iso(r.start),
    end: iso(r.end),
    bufferMinutes: r.bufferMinutes ?? BUFFER,
    kind: r.kind ?? 'booking',
    holdExpiresAt: r.holdExpiresAt === undefined ? iso('2026-03-13 10:15') : r.holdExpiresAt === null ? null : iso(r.holdExpiresAt),
    at: iso(r.at ?? '2026-03-13 10:00'),
  },
});
const confirmed = (bookingId: string, at = '2026-03-13 10:05'): RoomDayEvent => ({
  type: 'RoomTimeConfirmed',
  data: { roomId: ROOM, businessDate: DATE, bookingId, at: iso(at) },
});
const extended = (bookingId: string, end: string, at: string): RoomDayEvent => ({
  type: 'RoomTimeExtended',
  data: { roomId: ROOM, businessDate: DATE, bookingId, end: iso(end), at: iso(at) },
});
const ended = (bookingId: string, end: string, at: string): RoomDayEvent => ({
  type: 'RoomTimeEnded',
  data: { roomId: ROOM, businessDate: DATE, bookingId, end: iso(end), at: iso(at) },
});
const released = (bookingId: string, reason: ReleaseReason, at: string): RoomDayEvent => ({
  type: 'RoomTimeReleased',
  data: { roomId: ROOM, businessDate: DATE, bookingId, reason, at: iso(at) },
});

/** Booking A: 20:00–22:00, held at 10:00 until 10:15, confirmed at 10:05. */
const A = [reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }), confirmed('A')];

const target = (bookingId: string, now: string) => ({ roomId: ROOM, businessDate: DATE, bookingId, now: local(now) });
const reserve = (bookingId: string, now: string, r: Omit<Times, 'at'>): RoomDayCommand => ({
  type: 'Reserve',
  ...target(bookingId, now),
  start: local(r.start),
  end: local(r.end),
  bufferMinutes: r.bufferMinutes ?? BUFFER,
  kind: r.kind ?? 'booking',
  holdExpiresAt:
    r.holdExpiresAt === undefined ? new Date(local(now).getTime() + 15 * 60_000) : r.holdExpiresAt === null ? null : local(r.holdExpiresAt),
  dayEnd: DAY_END,
});
const confirm = (bookingId: string, now: string): RoomDayCommand => ({ type: 'Confirm', ...target(bookingId, now) });
const extend = (bookingId: string, now: string, end: string): RoomDayCommand => ({
  type: 'Extend',
  ...target(bookingId, now),
  end: local(end),
  dayEnd: DAY_END,
});
const end = (bookingId: string, now: string, at: string): RoomDayCommand => ({ type: 'End', ...target(bookingId, now), end: local(at) });
const release = (bookingId: string, now: string, reason: ReleaseReason): RoomDayCommand => ({
  type: 'Release',
  ...target(bookingId, now),
  reason,
});

const conflict = { is: ConflictError, status: 409 } as const;
const slotTaken = conflict;
const crossesDay = { is: UnprocessableError, status: 422 } as const;

t.test('reserve: a free room is reserved for the booking, with its cleaning buffer and hold expiry', async (t) => {
  spec(t)
    .given([])
    .when(reserve('A', '2026-03-13 10:00', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }))
    .then([reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' })]);
});

t.test('reserve: a walk-in is reserved with no hold expiry', async (t) => {
  spec(t)
    .given([])
    .when(reserve('W', '2026-03-13 20:00', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', kind: 'walk_in', holdExpiresAt: null }))
    .then([
      reserved('W', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', kind: 'walk_in', holdExpiresAt: null, at: '2026-03-13 20:00' }),
    ]);
});

t.test('reserve: the same booking reserving again (a retried step) records nothing', async (t) => {
  spec(t)
    .given(A)
    .when(reserve('A', '2026-03-13 10:01', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }))
    .thenNothing();
});

t.test('reserve: the same time for another booking is refused with slot_taken', async (t) => {
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }))
    .thenThrows('slot_taken', slotTaken);
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-13 21:00', end: '2026-03-13 21:30' }))
    .thenThrows('slot_taken', slotTaken, 'inside it');
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-13 19:00', end: '2026-03-13 23:00' }))
    .thenThrows('slot_taken', slotTaken, 'around it');
});

t.test('reserve: a start inside the cleaning buffer after another booking is refused', async (t) => {
  // A ends 22:00, cleaned until 22:15.
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-13 22:00', end: '2026-03-13 23:00' }))
    .thenThrows('slot_taken', slotTaken, 'at its end');
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-13 22:10', end: '2026-03-13 23:00' }))
    .thenThrows('slot_taken', slotTaken, 'five minutes before the buffer ends');
});

t.test('reserve: a booking whose own cleaning would run into the next booking is refused', async (t) => {
  // 18:00–20:00 would be cleaned until 20:15, but A starts at 20:00.
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-13 18:00', end: '2026-03-13 20:00' }))
    .thenThrows('slot_taken', slotTaken);
});

t.test('reserve: bookings that touch only after the cleaning buffer both fit', async (t) => {
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-13 22:15', end: '2026-03-13 23:15' }))
    .then(
      [reserved('B', { start: '2026-03-13 22:15', end: '2026-03-13 23:15', holdExpiresAt: '2026-03-13 11:15', at: '2026-03-13 11:00' })],
      'after A and its cleaning',
    );
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-13 18:45', end: '2026-03-13 19:45' }))
    .then(
      [reserved('B', { start: '2026-03-13 18:45', end: '2026-03-13 19:45', holdExpiresAt: '2026-03-13 11:15', at: '2026-03-13 11:00' })],
      'before A, cleaned by 20:00',
    );
});

t.test('reserve: a stay after midnight clashes with one across midnight: one business day, one stream', async (t) => {
  const late = reserved('A', { start: '2026-03-13 23:00', end: '2026-03-14 02:00' });
  spec(t)
    .given([late, confirmed('A')])
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-14 01:00', end: '2026-03-14 02:00' }))
    .thenThrows('slot_taken', slotTaken);
});

t.test('reserve: an unconfirmed hold still counts until the instant it expires', async (t) => {
  const hold = [reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' })]; // expires 10:15
  spec(t)
    .given(hold)
    .when(reserve('B', '2026-03-13 10:14', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }))
    .thenThrows('slot_taken', slotTaken);
});

t.test('reserve: an unconfirmed hold stops counting when it expires, even before its release is recorded', async (t) => {
  const hold = [reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' })]; // expires 10:15
  spec(t)
    .given(hold)
    .when(reserve('B', '2026-03-13 10:15', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }))
    .then([
      reserved('B', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', holdExpiresAt: '2026-03-13 10:30', at: '2026-03-13 10:15' }),
    ]);
});

t.test('reserve: a confirmed hold keeps counting after its hold expiry time', async (t) => {
  spec(t)
    .given(A)
    .when(reserve('B', '2026-03-13 12:00', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }))
    .thenThrows('slot_taken', slotTaken);
});

t.test('reserve: released time is free again', async (t) => {
  spec(t)
    .given([...A, released('A', 'cancelled', '2026-03-13 12:00')])
    .when(reserve('B', '2026-03-13 12:30', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }))
    .then([
      reserved('B', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', holdExpiresAt: '2026-03-13 12:45', at: '2026-03-13 12:30' }),
    ]);
});

t.test('reserve: a booking whose time was released (moved away and back) may reserve again', async (t) => {
  spec(t)
    .given([...A, released('A', 'moved', '2026-03-13 12:00')])
    .when(reserve('A', '2026-03-13 13:00', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', holdExpiresAt: null }))
    .then([reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', holdExpiresAt: null, at: '2026-03-13 13:00' })]);
});

t.test('reserve: time given up by ending early is free after the early end and its cleaning', async (t) => {
  const endedEarly = [...A, ended('A', '2026-03-13 21:00', '2026-03-13 21:00')];
  spec(t)
    .given(endedEarly)
    .when(reserve('B', '2026-03-13 21:00', { start: '2026-03-13 21:15', end: '2026-03-13 22:15' }))
    .then([
      reserved('B', { start: '2026-03-13 21:15', end: '2026-03-13 22:15', holdExpiresAt: '2026-03-13 21:15', at: '2026-03-13 21:00' }),
    ]);
  spec(t)
    .given(endedEarly)
    .when(reserve('B', '2026-03-13 21:00', { start: '2026-03-13 21:00', end: '2026-03-13 22:00' }))
    .thenThrows('slot_taken', slotTaken, 'not during the cleaning');
});

t.test('reserve: the stay and its cleaning must end by the business-day end (06:00)', async (t) => {
  spec(t)
    .given([])
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-14 04:45', end: '2026-03-14 05:45' }))
    .then(
      [reserved('B', { start: '2026-03-14 04:45', end: '2026-03-14 05:45', holdExpiresAt: '2026-03-13 11:15', at: '2026-03-13 11:00' })],
      'cleaned by exactly 06:00',
    );
  spec(t)
    .given([])
    .when(reserve('B', '2026-03-13 11:00', { start: '2026-03-14 05:00', end: '2026-03-14 06:00' }))
    .thenThrows('crosses_business_day', crossesDay, 'cleaning until 06:15');
});

t.test('confirm: a live hold is confirmed, and then no longer expires', async (t) => {
  spec(t)
    .given([reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' })])
    .when(confirm('A', '2026-03-13 10:05'))
    .then([confirmed('A')]);
});

t.test('confirm: confirming again, or confirming a walk-in, records nothing', async (t) => {
  spec(t).given(A).when(confirm('A', '2026-03-13 10:06')).thenNothing('confirmed already');
  spec(t)
    .given([reserved('W', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', kind: 'walk_in', holdExpiresAt: null })])
    .when(confirm('W', '2026-03-13 20:01'))
    .thenNothing('a walk-in never holds');
});

t.test('confirm: a hold confirmed at or after its expiry is refused with hold_expired, even before its release is recorded', async (t) => {
  const hold = [reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' })]; // expires 10:15
  spec(t).given(hold).when(confirm('A', '2026-03-13 10:15')).thenThrows('hold_expired', conflict, 'at the expiry instant');
  spec(t).given(hold).when(confirm('A', '2026-03-13 10:30')).thenThrows('hold_expired', conflict, 'later');
});

t.test('confirm: an expired hold whose time another booking has since taken is refused with hold_expired', async (t) => {
  spec(t)
    .given([
      reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }),
      reserved('B', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', holdExpiresAt: '2026-03-13 10:35', at: '2026-03-13 10:20' }),
    ])
    .when(confirm('A', '2026-03-13 10:25'))
    .thenThrows('hold_expired', conflict);
});

t.test('confirm: released or never-reserved time cannot be confirmed', async (t) => {
  spec(t)
    .given([reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' }), released('A', 'cancelled', '2026-03-13 10:05')])
    .when(confirm('A', '2026-03-13 10:06'))
    .thenThrows('hold_expired', conflict, 'released');
  spec(t).given(A).when(confirm('Z', '2026-03-13 10:06')).thenThrows('hold_expired', conflict, 'unknown booking');
});

t.test('extend: a live reservation gets the later end when the room is free', async (t) => {
  spec(t)
    .given(A)
    .when(extend('A', '2026-03-13 21:30', '2026-03-13 23:00'))
    .then([extended('A', '2026-03-13 23:00', '2026-03-13 21:30')]);
});

t.test('extend: an unconfirmed hold may be extended while it lasts', async (t) => {
  spec(t)
    .given([reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' })])
    .when(extend('A', '2026-03-13 10:10', '2026-03-13 22:30'))
    .then([extended('A', '2026-03-13 22:30', '2026-03-13 10:10')]);
});

t.test('extend: up to the next booking less the cleaning buffer fits; any later is slot_taken', async (t) => {
  const next = [...A, reserved('B', { start: '2026-03-13 23:15', end: '2026-03-14 00:15', holdExpiresAt: null })];
  spec(t)
    .given(next)
    .when(extend('A', '2026-03-13 21:30', '2026-03-13 23:00'))
    .then([extended('A', '2026-03-13 23:00', '2026-03-13 21:30')], 'cleaned by 23:15');
  spec(t)
    .given(next)
    .when(extend('A', '2026-03-13 21:30', '2026-03-13 23:15'))
    .thenThrows('slot_taken', slotTaken, 'the cleaning would overlap B');
});

t.test('extend: a lapsed hold of another booking does not stand in the way', async (t) => {
  spec(t)
    .given([
      ...A,
      reserved('B', { start: '2026-03-13 22:15', end: '2026-03-13 23:15', holdExpiresAt: '2026-03-13 11:15', at: '2026-03-13 11:00' }),
    ])
    .when(extend('A', '2026-03-13 21:30', '2026-03-13 23:00'))
    .then([extended('A', '2026-03-13 23:00', '2026-03-13 21:30')]);
});

t.test('extend: an end no later than the current one (a retried extension) records nothing', async (t) => {
  const afterExtension = [...A, extended('A', '2026-03-13 23:00', '2026-03-13 21:30')];
  spec(t)
    .given(afterExtension)
    .when(extend('A', '2026-03-13 21:31', '2026-03-13 23:00'))
    .thenNothing('the same end');
  spec(t)
    .given(afterExtension)
    .when(extend('A', '2026-03-13 21:31', '2026-03-13 22:30'))
    .thenNothing('an earlier end');
});

t.test('extend: past the business-day end (stay and cleaning by 06:00) is refused with crosses_business_day', async (t) => {
  spec(t)
    .given(A)
    .when(extend('A', '2026-03-13 21:30', '2026-03-14 05:45'))
    .then([extended('A', '2026-03-14 05:45', '2026-03-13 21:30')], 'cleaned by 06:00');
  spec(t)
    .given(A)
    .when(extend('A', '2026-03-13 21:30', '2026-03-14 06:00'))
    .thenThrows('crosses_business_day', crossesDay);
});

t.test('extend: ended, released, lapsed or unknown time cannot be extended (not_reserved)', async (t) => {
  spec(t)
    .given([...A, ended('A', '2026-03-13 21:00', '2026-03-13 21:00')])
    .when(extend('A', '2026-03-13 21:05', '2026-03-13 23:00'))
    .thenThrows('not_reserved', conflict, 'ended');
  spec(t)
    .given([...A, released('A', 'cancelled', '2026-03-13 12:00')])
    .when(extend('A', '2026-03-13 12:05', '2026-03-13 23:00'))
    .thenThrows('not_reserved', conflict, 'released');
  spec(t)
    .given([reserved('A', { start: '2026-03-13 20:00', end: '2026-03-13 22:00' })])
    .when(extend('A', '2026-03-13 10:15', '2026-03-13 23:00'))
    .thenThrows('not_reserved', conflict, 'a lapsed hold');
  spec(t)
    .given(A)
    .when(extend('Z', '2026-03-13 21:30', '2026-03-13 23:00'))
    .thenThrows('not_reserved', conflict, 'unknown');
});

t.test('end: a stay ending early gives the rest of its time back', async (t) => {
  spec(t)
    .given(A)
    .when(end('A', '2026-03-13 21:00', '2026-03-13 21:00'))
    .then([ended('A', '2026-03-13 21:00', '2026-03-13 21:00')]);
});

t.test('end: a check-out after the booked end keeps the booked end (no time is taken beyond it)', async (t) => {
  spec(t)
    .given(A)
    .when(end('A', '2026-03-13 22:20', '2026-03-13 22:20'))
    .then([ended('A', '2026-03-13 22:00', '2026-03-13 22:20')]);
});

t.test('end: ending again, or ending released or unknown time, records nothing', async (t) => {
  spec(t)
    .given([...A, ended('A', '2026-03-13 21:00', '2026-03-13 21:00')])
    .when(end('A', '2026-03-13 21:01', '2026-03-13 21:01'))
    .thenNothing('ended already');
  spec(t)
    .given([...A, released('A', 'cancelled', '2026-03-13 12:00')])
    .when(end('A', '2026-03-13 21:00', '2026-03-13 21:00'))
    .thenNothing('released');
  spec(t)
    .given(A)
    .when(end('Z', '2026-03-13 21:00', '2026-03-13 21:00'))
    .thenNothing('unknown');
});

t.test('release: live time is released with the reason', async (t) => {
  for (const reason of ['cancelled', 'expired', 'moved', 'no_show'] as const) {
    spec(t)
      .given(A)
      .when(release('A', '2026-03-13 20:30', reason))
      .then([released('A', reason, '2026-03-13 20:30')], reason);
  }
});

t.test('release: releasing again, or releasing ended or unknown time, records nothing', async (t) => {
  spec(t)
    .given([...A, released('A', 'cancelled', '2026-03-13 12:00')])
    .when(release('A', '2026-03-13 12:01', 'cancelled'))
    .thenNothing('released already');
  spec(t)
    .given([...A, ended('A', '2026-03-13 22:00', '2026-03-13 22:00')])
    .when(release('A', '2026-03-13 22:01', 'cancelled'))
    .thenNothing('ended: the stay happened');
  spec(t)
    .given(A)
    .when(release('Z', '2026-03-13 12:01', 'cancelled'))
    .thenNothing('unknown');
});

t.test('state: occupying lists the reservations that count at a given instant', async (t) => {
  const state = [
    ...A,
    reserved('B', { start: '2026-03-13 12:00', end: '2026-03-13 13:00', holdExpiresAt: '2026-03-13 10:30', at: '2026-03-13 10:15' }),
    reserved('C', { start: '2026-03-13 14:00', end: '2026-03-13 15:00', holdExpiresAt: null }),
    released('C', 'cancelled', '2026-03-13 10:20'),
  ].reduce(roomDayDecider.evolve, roomDayDecider.initialState());
  const ids = (now: string) => occupying(state, local(now)).map((r) => r.bookingId);
  t.strictSame(ids('2026-03-13 10:25'), ['A', 'B'], 'B is held until 10:30; C was released');
  t.strictSame(ids('2026-03-13 10:30'), ['A'], 'B lapsed at 10:30');
});

const cleaned = (bookingId: string, at: string): RoomDayEvent => ({
  type: 'RoomCleaned',
  data: { roomId: ROOM, businessDate: DATE, bookingId, at: iso(at) },
});
const clean = (now: string): RoomDayCommand => ({ type: 'Clean', roomId: ROOM, businessDate: DATE, now: local(now) });

/** Walk-in W: 20:00–22:00, checked out at 21:40:30 (so busy until 21:55:30 with its buffer). */
const W = [
  reserved('W', { start: '2026-03-13 20:00', end: '2026-03-13 22:00', kind: 'walk_in', holdExpiresAt: null, at: '2026-03-13 20:00' }),
  {
    type: 'RoomTimeEnded',
    data: { roomId: ROOM, businessDate: DATE, bookingId: 'W', end: '2026-03-13T13:40:30.000Z', at: '2026-03-13T13:40:30.000Z' },
  } as RoomDayEvent,
];

t.test('clean: a checked-out stay is marked clean; until then its buffer holds the room', async (t) => {
  spec(t)
    .given(W)
    .when(clean('2026-03-13 21:41'))
    .then([cleaned('W', '2026-03-13 21:41')]);
  spec(t)
    .given(W)
    .when(reserve('N', '2026-03-13 21:41', { start: '2026-03-13 21:41', end: '2026-03-13 22:41', kind: 'walk_in', holdExpiresAt: null }))
    .thenThrows('slot_taken', slotTaken, 'the buffer holds the room before it is cleaned');
});

t.test('clean: once cleaned, a walk-in in the same minute as the check-out is accepted', async (t) => {
  spec(t)
    .given([...W, cleaned('W', '2026-03-13 21:41')])
    .when(reserve('N', '2026-03-13 21:40', { start: '2026-03-13 21:40', end: '2026-03-13 22:40', kind: 'walk_in', holdExpiresAt: null }))
    .then([
      reserved('N', { start: '2026-03-13 21:40', end: '2026-03-13 22:40', kind: 'walk_in', holdExpiresAt: null, at: '2026-03-13 21:40' }),
    ]);
});

t.test('clean: a room with no check-out waiting, or one already cleaned, is refused with not_cleaning', async (t) => {
  spec(t).given(A).when(clean('2026-03-13 21:00')).thenThrows('not_cleaning', conflict, 'a party still booked');
  spec(t).given([]).when(clean('2026-03-13 21:00')).thenThrows('not_cleaning', conflict, 'an empty day');
  spec(t)
    .given([...W, cleaned('W', '2026-03-13 21:41')])
    .when(clean('2026-03-13 21:45'))
    .thenThrows('not_cleaning', conflict, 'cleaned twice');
});

const reserveOpen = (bookingId: string, start: string, minMinutes = 15): RoomDayCommand => ({
  type: 'ReserveOpen',
  roomId: ROOM,
  businessDate: DATE,
  bookingId,
  start: local(start),
  bufferMinutes: BUFFER,
  minMinutes,
  latestEnd: DAY_END,
  dayEnd: DAY_END,
  now: local(start),
});
const openReserved = (bookingId: string, start: string, end: string): RoomDayEvent => ({
  type: 'RoomTimeReserved',
  data: {
    roomId: ROOM,
    businessDate: DATE,
    bookingId,
    start: iso(start),
    end: iso(end),
    bufferMinutes: BUFFER,
    kind: 'walk_in',
    holdExpiresAt: null,
    openTiming: true,
    at: iso(start),
  },
});

t.test('open timing: the room until the next live reservation less the buffer, else the day’s end less the buffer', async (t) => {
  spec(t)
    .given([])
    .when(reserveOpen('w-1', '2026-03-13 20:00'))
    .then([openReserved('w-1', '2026-03-13 20:00', '2026-03-14 05:45')]);
  spec(t)
    .given([reserved('b-1', { start: '2026-03-13 22:00', end: '2026-03-13 23:00', holdExpiresAt: null })])
    .when(reserveOpen('w-1', '2026-03-13 20:00'))
    .then([openReserved('w-1', '2026-03-13 20:00', '2026-03-13 21:45')]);
  spec(t)
    .given([reserved('b-1', { start: '2026-03-13 22:00', end: '2026-03-13 23:00', holdExpiresAt: '2026-03-13 19:00' })])
    .when(reserveOpen('w-1', '2026-03-13 20:00'))
    .then([openReserved('w-1', '2026-03-13 20:00', '2026-03-14 05:45')], 'an expired hold does not stop it');
});

t.test('open timing: refused without one billing unit free, or while a stay still holds the room', async (t) => {
  spec(t)
    .given([reserved('b-1', { start: '2026-03-13 22:00', end: '2026-03-13 23:00', holdExpiresAt: null })])
    .when(reserveOpen('w-1', '2026-03-13 21:35'))
    .thenThrows('slot_taken', { status: 409 });
  spec(t)
    .given([reserved('b-1', { start: '2026-03-13 19:00', end: '2026-03-13 20:00', holdExpiresAt: null })])
    .when(reserveOpen('w-1', '2026-03-13 20:10'))
    .thenThrows('slot_taken', { status: 409 }, 'the cleaning buffer of the stay before runs to 20:15');
});
