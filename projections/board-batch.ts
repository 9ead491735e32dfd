import { sql, type Kysely } from 'kysely';
import { fromExcluded, underParameterLimit } from '../src/projections/insert-buffer.js';
import type { BoardDatabase, BoardRoom, BoardRoomsTable, BoardStaysTable } from './board-tables.js';

type Db = Kysely<BoardDatabase>;
type Change = Readonly<{ seq: number; id: string; room_id: string; room: BoardRoom; at: Date }>;

const jsonb = (value: unknown) => sql<BoardRoom>`${JSON.stringify(value)}::jsonb`;

/**
 * The board's tables as one batch of events leaves them, kept in memory: rows are read once (all
 * that the batch names up front, anything else when first asked for) and written once, as a few
 * multi-row statements when the batch ends. Applying events here one by one gives exactly the rows
 * that applying them one statement at a time did, at a handful of round trips per batch instead
 * of five or more per event.
 */
export class BoardBatch {
  /** Every room read or written so far; null when there is no such room. */
  private readonly rooms = new Map<string, BoardRoomsTable | null>();
  /** Every stay read or written so far; null when there is none (never was, or ended in this batch). */
  private readonly stays = new Map<string, BoardStaysTable | null>();
  /** The ids of the live stays above, by room. */
  private readonly byRoom = new Map<string, Set<string>>();
  /** Rooms whose stays have all been read. */
  private readonly staysRead = new Set<string>();
  private everything = false;
  private readonly changedRooms = new Set<string>();
  private readonly changedStays = new Set<string>();
  private readonly changes: Change[] = [];
  private windowMinutes: number | undefined;
  private windowChanged = false;
  private lastSeq: number | undefined;

  constructor(private readonly trx: Db) {}

  /**
   * Reads what the batch will need: the stays of the named rooms and the named stays in one
   * statement, the rooms in another, and only then the rooms of stays named by their booking alone.
   */
  async prefetch(roomIds: Iterable<string>, bookingIds: Iterable<string>, everyRoom: boolean): Promise<void> {
    if (everyRoom) return this.readEverything();
    const rooms = [...new Set(roomIds)];
    const bookings = [...new Set(bookingIds)];
    if (rooms.length + bookings.length === 0) return;
    const rows = await this.trx
      .selectFrom('board_stays')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(rooms.length > 0 ? [eb('room_id', 'in', rooms)] : []),
          ...(bookings.length > 0 ? [eb('booking_id', 'in', bookings)] : []),
        ]),
      )
      .execute();
    this.take(rows);
    for (const id of rooms) this.staysRead.add(id);
    for (const id of bookings) if (!this.stays.has(id)) this.stays.set(id, null);
    const found = rows.map((s) => s.room_id).filter((id) => !this.staysRead.has(id));
    await this.readRooms([...rooms, ...found]);
    await this.readStaysOf(found);
  }

  async room(roomId: string): Promise<BoardRoomsTable | null> {
    if (!this.rooms.has(roomId)) await this.readRooms([roomId]);
    return this.rooms.get(roomId) ?? null;
  }

  async stay(bookingId: string): Promise<BoardStaysTable | null> {
    if (!this.stays.has(bookingId)) await this.readStays([bookingId]);
    return this.stays.get(bookingId) ?? null;
  }

  /** The rooms named (every room if `all`) with their live stays, in the board's order: name, then id. */
  async roomsWithStays(named: readonly string[], all: boolean): Promise<{ room: BoardRoomsTable; stays: BoardStaysTable[] }[]> {
    const roomIds = [...new Set(named)];
    if (all) await this.readEverything();
    else {
      await this.readRooms(roomIds);
      await this.readStaysOf(roomIds);
    }
    const rooms = all ? [...this.rooms.values()] : roomIds.map((id) => this.rooms.get(id) ?? null);
    return rooms
      .filter((r): r is BoardRoomsTable => r !== null)
      .sort((a, b) => compare(a.name, b.name) || compare(a.room_id, b.room_id))
      .map((room) => ({ room, stays: [...(this.byRoom.get(room.room_id) ?? [])].map((id) => this.stays.get(id)!) }));
  }

  setRoom(row: BoardRoomsTable): void {
    this.rooms.set(row.room_id, row);
    this.changedRooms.add(row.room_id);
  }

  setStay(row: BoardStaysTable): void {
    this.forget(row.booking_id);
    this.stays.set(row.booking_id, row);
    this.indexed(row.room_id).add(row.booking_id);
    this.changedStays.add(row.booking_id);
  }

  endStay(bookingId: string): void {
    this.forget(bookingId);
    this.stays.set(bookingId, null);
    this.changedStays.add(bookingId);
  }

  async reservedWindowMinutes(): Promise<number> {
    if (this.windowMinutes === undefined) {
      const row = await this.trx.selectFrom('board_settings').select('reserved_window_minutes').where('id', '=', 1).executeTakeFirst();
      this.windowMinutes = row?.reserved_window_minutes ?? 60;
    }
    return this.windowMinutes;
  }

  setReservedWindowMinutes(minutes: number): void {
    this.windowMinutes = minutes;
    this.windowChanged = true;
  }

  /** Logs a change of a room's view; its number follows the last in the log. */
  async logChange(change: Omit<Change, 'seq'>): Promise<number> {
    if (this.lastSeq === undefined) {
      const last = await this.trx
        .selectFrom('board_changes')
        .select((eb) => eb.fn.coalesce(eb.fn.max('seq'), eb.lit(0)).as('seq'))
        .executeTakeFirstOrThrow();
      this.lastSeq = Number(last.seq);
    }
    this.changes.push({ ...change, seq: ++this.lastSeq });
    return this.lastSeq;
  }

  /** Writes what the batch changed. */
  async write(): Promise<void> {
    const ended = [...this.changedStays].filter((id) => this.stays.get(id) === null);
    const stays = [...this.changedStays].flatMap((id) => this.stays.get(id) ?? []);
    const rooms = [...this.changedRooms].flatMap((id) => this.rooms.get(id) ?? []);
    // One array parameter, however many stays ended.
    if (ended.length > 0)
      await this.trx
        .deleteFrom('board_stays')
        .where(sql<boolean>`booking_id = any(${ended}::text[])`)
        .execute();
    for (const rows of underParameterLimit(stays)) {
      await this.trx
        .insertInto('board_stays')
        .values(rows)
        .onConflict((oc) => oc.column('booking_id').doUpdateSet(fromExcluded(rows[0]!, ['booking_id'])))
        .execute();
    }
    for (const rows of underParameterLimit(rooms)) {
      await this.trx
        .insertInto('board_rooms')
        .values(rows.map((r) => ({ ...r, room: r.room === null ? null : jsonb(r.room) })))
        .onConflict((oc) => oc.column('room_id').doUpdateSet(fromExcluded(rows[0]!, ['room_id'])))
        .execute();
    }
    for (const rows of underParameterLimit(this.changes)) {
      await this.trx
        .insertInto('board_changes')
        .values(rows.map((c) => ({ ...c, room: jsonb(c.room) })))
        .execute();
    }
    if (this.windowChanged && this.windowMinutes !== undefined) {
      const minutes = this.windowMinutes;
      await this.trx
        .insertInto('board_settings')
        .values({ id: 1, reserved_window_minutes: minutes })
        .onConflict((oc) => oc.column('id').doUpdateSet({ reserved_window_minutes: minutes }))
        .execute();
    }
  }

  private forget(bookingId: string): void {
    const before = this.stays.get(bookingId);
    if (before) this.byRoom.get(before.room_id)?.delete(bookingId);
  }

  private indexed(roomId: string): Set<string> {
    let ids = this.byRoom.get(roomId);
    if (!ids) this.byRoom.set(roomId, (ids = new Set()));
    return ids;
  }

  /** Takes rows read from the tables, except where the batch already knows better. */
  private take(stays: readonly BoardStaysTable[]): void {
    for (const s of stays) {
      if (this.stays.has(s.booking_id)) continue;
      this.stays.set(s.booking_id, s);
      this.indexed(s.room_id).add(s.booking_id);
    }
  }

  private async readRooms(roomIds: readonly string[]): Promise<void> {
    const wanted = roomIds.filter((id) => !this.rooms.has(id));
    if (wanted.length === 0 || this.everything) return;
    const rows = await this.trx.selectFrom('board_rooms').selectAll().where('room_id', 'in', wanted).execute();
    for (const id of wanted) this.rooms.set(id, null);
    for (const r of rows) this.rooms.set(r.room_id, r);
  }

  private async readStays(bookingIds: readonly string[]): Promise<void> {
    const wanted = bookingIds.filter((id) => !this.stays.has(id));
    if (wanted.length === 0 || this.everything) return;
    const rows = await this.trx.selectFrom('board_stays').selectAll().where('booking_id', 'in', wanted).execute();
    this.take(rows);
    for (const id of wanted) if (!this.stays.has(id)) this.stays.set(id, null);
  }

  private async readStaysOf(roomIds: readonly string[]): Promise<void> {
    const wanted = roomIds.filter((id) => !this.staysRead.has(id));
    if (wanted.length === 0 || this.everything) return;
    this.take(await this.trx.selectFrom('board_stays').selectAll().where('room_id', 'in', wanted).execute());
    for (const id of wanted) this.staysRead.add(id);
  }

  private async readEverything(): Promise<void> {
    if (this.everything) return;
    for (const r of await this.trx.selectFrom('board_rooms').selectAll().execute())
      if (!this.rooms.has(r.room_id)) this.rooms.set(r.room_id, r);
    this.take(await this.trx.selectFrom('board_stays').selectAll().execute());
    this.everything = true;
  }
}

/** Code-point order (PostgreSQL's C collation): the same in every build, whatever the database's collation. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
