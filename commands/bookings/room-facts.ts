import type { EventStore } from '../../src/eventstore/port.js';
import { load, recall } from '../../src/eventstore/decide.js';
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
  /** The room stream's version these facts were read at. */
  version: bigint;
}>;

/** How stale a room type's cleaning buffer may be for a booking. */
const FRESH_MS = 1000;

/**
 * What a booking needs to know about a room. The room's own stream is read every time, unless
 * `remembered`: then the state this process last saw it in serves, and the caller must make the
 * room stream's `version` a condition of its append, so that a room taken out of service on any
 * instance is refused by every instance from then on. Its type's cleaning buffer changes rarely
 * and may be up to FRESH_MS old.
 */
export async function roomFacts(store: EventStore, roomId: string, { remembered = false } = {}): Promise<RoomFacts> {
  if (!isUuid(roomId)) throw new NotFoundError('room', roomId);
  const { state: room, version } = await recall(store, roomStream(roomId), roomDecider, { fresh: !remembered });
  if (room.status === 'none') throw new NotFoundError('room', roomId);
  const bufferMinutes = await memo(store, roomTypeStream(room.roomTypeId), FRESH_MS, async () => {
    const { state: type } = await load(store, roomTypeStream(room.roomTypeId), roomTypeDecider);
    return type.status === 'defined' ? type.cleaningBufferMinutes : 0;
  });
  return {
    id: room.id,
    name: room.name,
    roomTypeId: room.roomTypeId,
    capacity: room.capacity,
    inService: room.status === 'in_service',
    bufferMinutes,
    version,
  };
}
