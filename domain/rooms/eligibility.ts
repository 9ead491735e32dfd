import { ConflictError, UnprocessableError } from '../../src/errors.js';

export type RoomFit = Readonly<{ name: string; capacity: number; inService: boolean }>;

/**
 * Whether a room can take a party at all: in service, and big enough. Holds,
 * walk-ins and moves ask this before they claim time; availability filters by
 * the same two facts. `field` names the request field a 422 should point at.
 */
export function assertRoomTakes(room: RoomFit, partySize: number, field: 'partySize' | 'roomId' = 'partySize'): void {
  if (!room.inService) throw new ConflictError('room_out_of_service', `Room ${room.name} is out of service.`);
  if (partySize > room.capacity) {
    throw new UnprocessableError('party_too_large', `Room ${room.name} holds at most ${room.capacity} people.`, {
      field,
      capacity: room.capacity,
    });
  }
}
