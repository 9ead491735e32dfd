import type pg from 'pg';
import type { EventStore, RecordedEvent } from '../../src/eventstore/port.js';
import { roomDayDecider, type RoomDayState } from '../../commands/room-days/decider.js';
import type { RoomDayEvent } from '../../src/events/bookings.js';

/**
 * The invariant, checked from the event log alone: replaying every room-day
 * stream, each time a reservation is made or extended, it overlaps (cleaning
 * buffer included) no reservation that occupied the room at that moment.
 */
export async function overlapsInLog(pool: Pick<pg.Pool, 'query'>, store: EventStore): Promise<string[]> {
  const { rows } = await pool.query<{ stream_id: string }>("SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE 'roomday-%'");
  const problems: string[] = [];
  for (const { stream_id } of rows) {
    const { events } = await store.readStream(stream_id);
    let state: RoomDayState = roomDayDecider.initialState();
    for (const e of events as readonly RecordedEvent[]) {
      const event = { type: e.type, data: e.data } as RoomDayEvent;
      state = roomDayDecider.evolve(state, event);
      if (event.type !== 'RoomTimeReserved' && event.type !== 'RoomTimeExtended') continue;
      const at = Date.parse(event.data.at);
      const live = [...state.reservations.values()].filter(
        (r) => r.status !== 'released' && (r.holdExpiresAt === null || r.holdExpiresAt > at),
      );
      for (const a of live) {
        for (const b of live) {
          if (a.bookingId >= b.bookingId) continue;
          if (a.start < b.end + b.bufferMinutes * 60_000 && b.start < a.end + a.bufferMinutes * 60_000) {
            problems.push(`${stream_id}: ${a.bookingId} and ${b.bookingId} overlap after ${event.type}`);
          }
        }
      }
    }
  }
  return problems;
}
