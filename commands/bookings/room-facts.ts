import type { EventStore } from '../../src/eventstore/port.js';
import { load } from '../../src/eventstore/decide.js';
import { roomStream, roomTypeStream } from '../../src/events/rooms.js';
import { NotFoundError } from '../../src/errors.js';
import { isUuid } from '../../src/ids.js';
import { memo } from '../../src/infra/memo.js';
import { roomDecider } from '../rooms/decider.js';
import { roomTypeDecider } from '../room-types/decider.js';

export type RoomFacts = Readonly<{
  id: string;
  name: string;
  roomTypeId: string;
  capacity: number;
  inService: boolean;
  bufferMinutes: number;
}>;

/** How stale room facts may be for a booking (out-of-service changes made in this process apply at once). */
const FRESH_MS = 1000;

/** What a booking needs to know about a room, from the room's and its type's streams. */
export function roomFacts(store: EventStore, roomId: string): Promise<RoomFacts> {
  if (!isUuid(roomId)) return Promise.reject(new NotFoundError('room', roomId));
  return memo(store, roomStream(roomId), FRESH_MS, () => readRoomFacts(store, roomId));
}

async function readRoomFacts(store: EventStore, roomId: string): Promise<RoomFacts> {
  const { state: room } = await load(store, roomStream(roomId), roomDecider);
  if (room.status === 'none') throw new NotFoundError('room', roomId);
  const { state: type } = await load(store, roomTypeStream(room.roomTypeId), roomTypeDecider);
  return {
    id: room.id,
    name: room.name,
    roomTypeId: room.roomTypeId,
    capacity: room.capacity,
    inService: room.status === 'in_service',
    bufferMinutes: type.status === 'defined' ? type.cleaningBufferMinutes : 0,
  };
}
