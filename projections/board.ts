import type { Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { BookingEvent, RoomDayEvent } from '../src/events/bookings.js';
import type { RoomEvent } from '../src/events/rooms.js';
import type { VenueEvent } from '../src/events/venue.js';
import type { FloorClockEvent } from '../src/events/floor.js';
import { nextChange, roomView, type Stay } from '../domain/rooms/board.js';
import { BoardBatch } from './board-batch.js';
import type { BoardBooking, BoardDatabase, BoardRoom, BoardRoomsTable, BoardStaysTable } from './board-tables.js';

/** The news channel a committed board batch is announced on (the payload is empty: readers read the log). */
export const BOARD_NEWS = 'ktv:board';

type Handled = RoomEvent | BookingEvent | Extract<RoomDayEvent, { type: 'RoomCleaned' }> | VenueEvent | FloorClockEvent;
type Db = Kysely<BoardDatabase>;
const EVERY_ROOM = 'every room';

/**
 * The live floor: each room's state, the party in it or next to arrive, and
 * since when (`rm.board_rooms`), built from the facts in `rm.board_stays`, and
 * the log of every change (`rm.board_changes`). A change is logged when an
 * event changes a room's view, computed at the event's time; changes that come
 * from the clock alone are logged on `FloorClockTicked`, computed at its minute.
 */
export const boardProjection = defineProjection<BoardDatabase>({
  name: 'board',
  // 2: the change log counts its own sequence, so a rebuild numbers it as the live projection did.
  // 3: a room's new name and capacity show once changed.
  // 4: an open-timed walk-in's booking says so (`openTiming`).
  version: 4,
  tables: ['board_rooms', 'board_stays', 'board_settings', 'board_changes'],
  eventTypes: [
    'RoomRegistered',
    'RoomChanged',
    'RoomTakenOutOfService',
    'RoomReturnedToService',
    'BookingHeld',
    'WalkInStarted',
    'BookingConfirmed',
    'BookingCancelled',
    'BookingExpired',
    'BookingCheckedIn',
    'BookingExtended',
    'BookingMoved',
    'BookingCheckedOut',
    'BookingMarkedNoShow',
    'RoomCleaned',
    'VenueConfigured',
    'FloorClockTicked',
  ],
  async setup(db) {
    await db.schema
      .createTable('board_rooms')
      .addColumn('room_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('capacity', 'integer', (c) => c.notNull())
      .addColumn('in_service', 'boolean', (c) => c.notNull())
      .addColumn('cleaning_since', 'timestamptz')
      .addColumn('room', 'jsonb')
      .addColumn('change_id', 'text')
      .addColumn('change_seq', 'bigint')
      .addColumn('next_change_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('board_rooms_due').on('board_rooms').column('next_change_at').execute();
    await db.schema
      .createTable('board_stays')
      .addColumn('booking_id', 'text', (c) => c.primaryKey())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('start_at', 'timestamptz', (c) => c.notNull())
      .addColumn('end_at', 'timestamptz', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('party_size', 'integer', (c) => c.notNull())
      .addColumn('hold_expires_at', 'timestamptz')
      .addColumn('open_timing', 'boolean', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('board_stays_by_room').on('board_stays').column('room_id').execute();
    await db.schema
      .createTable('board_settings')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('reserved_window_minutes', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('board_changes')
      // Counted here rather than by an identity, which a rolled-back batch leaves gaps in: a rebuild gives the same numbers.
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('room', 'jsonb', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .execute();
  },
  async apply(trx: Db, events: readonly RecordedEvent[]) {
    const batch = new BoardBatch(trx);
    const facts = events.map((recorded) => ({ recorded, e: { type: recorded.type, data: recorded.data } as Handled }));
    await batch.prefetch(
      facts.flatMap(({ e }) => roomsNamed(e)),
      facts.flatMap(({ e }) => ('bookingId' in e.data ? [e.data.bookingId] : [])),
      facts.some(({ e }) => e.type === 'VenueConfigured' || e.type === 'FloorClockTicked'),
    );
    for (const { recorded, e } of facts) {
      const touched = await applyFact(batch, e, recorded.createdAt);
      const now = e.type === 'FloorClockTicked' ? new Date(e.data.at) : recorded.createdAt;
      if (touched.length > 0) await refresh(batch, touched, now, String(recorded.globalPosition));
    }
    await batch.write();
  },
});

/** The rooms an event names itself (a stay's room is found from its booking). */
const roomsNamed = (e: Handled): string[] =>
  e.type === 'BookingMoved' ? [e.data.fromRoomId, e.data.toRoomId] : 'roomId' in e.data ? [e.data.roomId] : [];

/** Records what the event says about rooms and stays; returns the rooms whose view may have changed. */
async function applyFact(batch: BoardBatch, e: Handled, at: Date): Promise<string[]> {
  const setStay = async (bookingId: string, set: Partial<BoardStaysTable>) => {
    const stay = await batch.stay(bookingId);
    if (stay) batch.setStay({ ...stay, ...set });
    return stay ? [stay.room_id] : [];
  };
  const setRoom = async (roomId: string, set: Partial<BoardRoomsTable>) => {
    const room = await batch.room(roomId);
    if (room) batch.setRoom({ ...room, ...set });
  };
  const endStay = async (bookingId: string) => {
    const stay = await batch.stay(bookingId);
    batch.endStay(bookingId);
    return stay ? [stay.room_id] : [];
  };
  switch (e.type) {
    case 'RoomRegistered':
      if (!(await batch.room(e.data.roomId))) {
        batch.setRoom({
          room_id: e.data.roomId,
          name: e.data.name,
          type: e.data.roomTypeId,
          capacity: e.data.capacity,
          in_service: true,
          cleaning_since: null,
          room: null,
          change_id: null,
          change_seq: null,
          next_change_at: null,
        });
      }
      return [e.data.roomId];
    case 'RoomTakenOutOfService':
    case 'RoomReturnedToService':
      await setRoom(e.data.roomId, { in_service: e.type === 'RoomReturnedToService' });
      return [e.data.roomId];
    case 'BookingHeld':
    case 'WalkInStarted':
      if (!(await batch.stay(e.data.bookingId))) {
        batch.setStay({
          booking_id: e.data.bookingId,
          room_id: e.data.roomId,
          start_at: new Date(e.data.start),
          end_at: new Date(e.data.end),
          status: e.type === 'BookingHeld' ? 'held' : 'checked_in',
          party_size: e.data.partySize,
          hold_expires_at: e.type === 'BookingHeld' ? new Date(e.data.holdExpiresAt) : null,
          open_timing: e.type === 'WalkInStarted' && e.data.openTiming === true,
        });
      }
      return [e.data.roomId];
    case 'BookingConfirmed':
      return setStay(e.data.bookingId, { status: 'confirmed', hold_expires_at: null });
    case 'BookingCheckedIn':
      return setStay(e.data.bookingId, { status: 'checked_in', hold_expires_at: null });
    case 'BookingExtended':
      return setStay(e.data.bookingId, { end_at: new Date(e.data.end) });
    case 'BookingMoved':
      await setStay(e.data.bookingId, { room_id: e.data.toRoomId });
      return [e.data.fromRoomId, e.data.toRoomId];
    case 'BookingCheckedOut': {
      const rooms = await endStay(e.data.bookingId);
      for (const room of rooms) await setRoom(room, { cleaning_since: at });
      return rooms;
    }
    case 'BookingCancelled':
    case 'BookingExpired':
    case 'BookingMarkedNoShow':
      return endStay(e.data.bookingId);
    case 'RoomCleaned':
      await setRoom(e.data.roomId, { cleaning_since: null });
      return [e.data.roomId];
    case 'VenueConfigured':
      batch.setReservedWindowMinutes(e.data.settings.reservedWindowMinutes);
      return [EVERY_ROOM];
    case 'FloorClockTicked':
      return [EVERY_ROOM];
    case 'RoomChanged':
      await setRoom(e.data.roomId, { name: e.data.name, capacity: e.data.capacity });
      return [e.data.roomId];
    case 'RoomRetired':
      // Always after RoomTakenOutOfService, which already shows the room out of service (not subscribed).
      return [];
    case 'DepositPartPaid':
    case 'OrderPlaced':
    case 'OrderLineVoided':
    case 'BillAdjusted':
      // Money paid and what is on the bill do not change what the room shows (not subscribed; here for exhaustiveness).
      return [];
    default: {
      const never: never = e;
      throw new Error(`board projection got ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The room with its keys in the documented order. PostgreSQL's jsonb keeps
 * keys in an order of its own, so rows read back go through this before they
 * are compared or sent.
 */
export const inOrder = (r: BoardRoom): BoardRoom => ({
  roomId: r.roomId,
  name: r.name,
  type: r.type,
  capacity: r.capacity,
  state: r.state,
  booking: r.booking && bookingInOrder(r.booking),
  next: r.next && bookingInOrder(r.next),
  since: r.since,
});
const bookingInOrder = (b: BoardBooking): BoardBooking => ({
  id: b.id,
  start: b.start,
  end: b.end,
  status: b.status,
  partySize: b.partySize,
  ...(b.openTiming ? { openTiming: true as const } : {}),
});

const iso = (d: Date) => d.toISOString();
const bookingOf = (s: Stay | null): BoardBooking | null =>
  s && {
    id: s.bookingId,
    start: iso(new Date(s.start)),
    end: iso(new Date(s.end)),
    status: s.status,
    partySize: s.partySize,
    ...(s.openTiming ? { openTiming: true as const } : {}),
  };

/** Works out the touched rooms' views at `now` and logs each one that changed, numbered after the event's position. */
async function refresh(batch: BoardBatch, touched: readonly string[], now: Date, position: string): Promise<void> {
  const rooms = await batch.roomsWithStays(touched, touched.includes(EVERY_ROOM));
  if (rooms.length === 0) return;
  const window = await batch.reservedWindowMinutes();
  let part = 0;
  for (const { room: r, stays } of rooms) {
    const facts = {
      inService: r.in_service,
      cleaningSince: r.cleaning_since?.getTime() ?? null,
      stays: stays.map((s) => ({
        bookingId: s.booking_id,
        start: s.start_at.getTime(),
        end: s.end_at.getTime(),
        status: s.status,
        partySize: s.party_size,
        holdExpiresAt: s.hold_expires_at?.getTime() ?? null,
        openTiming: s.open_timing,
      })),
    };
    const view = roomView(facts, now.getTime(), window);
    const due = nextChange(facts, now.getTime(), window);
    const before = r.room;
    const room: BoardRoom = {
      roomId: r.room_id,
      name: r.name,
      type: r.type,
      capacity: r.capacity,
      state: view.state,
      booking: bookingOf(view.booking),
      next: bookingOf(view.next),
      since: before && before.state === view.state ? before.since : iso(now),
    };
    let change = {};
    if (before === null || JSON.stringify(room) !== JSON.stringify(inOrder(before))) {
      const id = `${position}.${part++}`;
      const seq = await batch.logChange({ id, room_id: r.room_id, room, at: now });
      change = { room, change_id: id, change_seq: seq };
    }
    batch.setRoom({ ...r, next_change_at: due === null ? null : new Date(due), ...change });
  }
}
