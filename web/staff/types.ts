/**
 * The room board as GET /board and GET /board/events send it. A copy of projections/board.ts's
 * types on purpose: pages import only web/ (test/architecture.test.ts), and every answer the tests
 * see is checked against the OpenAPI document, which is where the two must agree.
 */
export type RoomState = 'free' | 'reserved' | 'occupied' | 'overtime' | 'cleaning' | 'out_of_service';
export type BoardBooking = {
  id: string;
  start: string;
  end: string;
  status: 'held' | 'confirmed' | 'checked_in';
  partySize: number;
  /** An open-timed walk-in: no end booked, so no countdown and nothing to extend. */
  openTiming?: true;
};
export type BoardRoom = {
  roomId: string;
  name: string;
  type: string;
  capacity: number;
  state: RoomState;
  booking: BoardBooking | null;
  next: BoardBooking | null;
  since: string;
};
