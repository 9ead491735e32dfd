import type { RoomState, Stay } from '../domain/rooms/board.js';

/**
 * The party in a room or next to arrive, as the board shows it. `openTiming` is there only for an
 * open-timed walk-in, so every other booking keeps the documented five fields.
 */
export type BoardBooking = Readonly<{
  id: string;
  start: string;
  end: string;
  status: Stay['status'];
  partySize: number;
  openTiming?: true;
}>;

/** One room on the board: exactly the object of `GET /board` and of each `room` event. */
export type BoardRoom = Readonly<{
  roomId: string;
  name: string;
  type: string;
  capacity: number;
  state: RoomState;
  booking: BoardBooking | null;
  next: BoardBooking | null;
  since: string;
}>;

export interface BoardRoomsTable {
  room_id: string;
  name: string;
  type: string;
  capacity: number;
  in_service: boolean;
  /** A party checked out and the room is not marked clean yet. */
  cleaning_since: Date | null;
  /** The room as the board shows it now (null until its first change is logged), and that change's id and seq. */
  room: BoardRoom | null;
  change_id: string | null;
  change_seq: number | null;
  /** When the clock alone changes this room next; the floor clock ticks then. */
  next_change_at: Date | null;
}

export interface BoardStaysTable {
  booking_id: string;
  room_id: string;
  start_at: Date;
  end_at: Date;
  status: Stay['status'];
  party_size: number;
  hold_expires_at: Date | null;
  open_timing: boolean;
}

export interface BoardSettingsTable {
  id: number;
  reserved_window_minutes: number;
}

/** Every change of a room on the board, in order: the log live feeds resume from. */
export interface BoardChangesTable {
  seq: number;
  /** `<feed position>.<n>`: the event that caused the change, and which of its changes this is. */
  id: string;
  room_id: string;
  room: BoardRoom;
  at: Date;
}

export type BoardDatabase = {
  board_rooms: BoardRoomsTable;
  board_stays: BoardStaysTable;
  board_settings: BoardSettingsTable;
  board_changes: BoardChangesTable;
};
