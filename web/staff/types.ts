/** The room board as GET /board and GET /board/events send it. */
export type RoomState = 'free' | 'reserved' | 'occupied' | 'overtime' | 'cleaning' | 'out_of_service';
export type BoardBooking = { id: string; start: string; end: string; status: 'held' | 'confirmed' | 'checked_in'; partySize: number };
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
