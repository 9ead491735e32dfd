import type { EventStore, EventMetadata } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { roomDayStream, type ReleaseReason } from '../../src/events/bookings.js';
import { roomDayDecider } from '../room-days/decider.js';
import type { Booking } from './decider.js';

/** Gives a booking's room time back on its room-day stream (a no-op when it holds none). */
export async function releaseRoomTime(
  store: EventStore,
  b: Booking,
  reason: ReleaseReason,
  metadata: EventMetadata,
  now: Date,
): Promise<void> {
  await handle(
    store,
    roomDayStream(b.roomId, b.businessDate),
    roomDayDecider,
    { type: 'Release', roomId: b.roomId, businessDate: b.businessDate, bookingId: b.id, reason, now },
    metadata,
  );
}
