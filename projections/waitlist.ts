import type { Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { WaitlistEvent } from '../src/events/bookings.js';

export interface WaitlistEntriesTable {
  entry_id: string;
  guest_id: string;
  business_date: string;
  start_at: Date;
  duration_minutes: number;
  party_size: number;
  room_type_id: string | null;
  status: 'waiting' | 'offered' | 'expired' | 'cancelled';
  booking_id: string | null;
  /** The joining event's place in the feed: first come, first offered. */
  joined_position: string;
  joined_at: Date;
  updated_at: Date;
}
export type WaitlistDatabase = { waitlist_entries: WaitlistEntriesTable };

/** Every waitlist entry with its status (`rm.waitlist_entries`), in the order guests joined. */
export const waitlistProjection = defineProjection<WaitlistDatabase>({
  name: 'waitlist',
  version: 1,
  tables: ['waitlist_entries'],
  eventTypes: ['WaitlistJoined', 'WaitlistOffered', 'WaitlistLeft', 'WaitlistExpired'],
  async setup(db) {
    await db.schema
      .createTable('waitlist_entries')
      .addColumn('entry_id', 'text', (c) => c.primaryKey())
      .addColumn('guest_id', 'text', (c) => c.notNull())
      .addColumn('business_date', 'text', (c) => c.notNull())
      .addColumn('start_at', 'timestamptz', (c) => c.notNull())
      .addColumn('duration_minutes', 'integer', (c) => c.notNull())
      .addColumn('party_size', 'integer', (c) => c.notNull())
      .addColumn('room_type_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('booking_id', 'text')
      .addColumn('joined_position', 'bigint', (c) => c.notNull())
      .addColumn('joined_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('waitlist_entries_waiting').on('waitlist_entries').columns(['status', 'joined_position']).execute();
  },
  async apply(trx: Kysely<WaitlistDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as WaitlistEvent;
      const at = new Date(e.data.at);
      const set = (changes: Partial<WaitlistEntriesTable>) =>
        trx
          .updateTable('waitlist_entries')
          .set({ ...changes, updated_at: at })
          .where('entry_id', '=', e.data.entryId)
          .execute();
      switch (e.type) {
        case 'WaitlistJoined':
          await trx
            .insertInto('waitlist_entries')
            .values({
              entry_id: e.data.entryId,
              guest_id: e.data.guestId,
              business_date: e.data.businessDate,
              start_at: new Date(e.data.start),
              duration_minutes: e.data.durationMinutes,
              party_size: e.data.partySize,
              room_type_id: e.data.roomTypeId,
              status: 'waiting',
              booking_id: null,
              joined_position: recorded.globalPosition.toString(),
              joined_at: at,
              updated_at: at,
            })
            .onConflict((oc) => oc.column('entry_id').doNothing())
            .execute();
          break;
        case 'WaitlistOffered':
          await set({ status: 'offered', booking_id: e.data.bookingId });
          break;
        case 'WaitlistLeft':
          await set({ status: 'cancelled' });
          break;
        case 'WaitlistExpired':
          await set({ status: 'expired' });
          break;
        default: {
          const never: never = e;
          throw new Error(`waitlist projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});
