import type { Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { BottleEvent } from '../src/events/bottles.js';

/** Members' stored bottles (存酒): `rm.stored_bottles`. A stored bottle past `expires_at` has expired. */
export interface StoredBottlesTable {
  bottle_id: string;
  member_id: string;
  product_id: string;
  product_name: string;
  remaining: string;
  note: string | null;
  booking_id: string | null;
  stored_by: string;
  stored_at: Date;
  expires_at: Date;
  status: 'stored' | 'withdrawn';
  withdrawn_by: string | null;
  withdrawn_at: Date | null;
}

export type BottlesDatabase = { stored_bottles: StoredBottlesTable };

export const bottlesProjection = defineProjection<BottlesDatabase>({
  name: 'bottles',
  version: 1,
  tables: ['stored_bottles'],
  eventTypes: ['BottleStored', 'BottleWithdrawn'],
  async setup(db) {
    await db.schema
      .createTable('stored_bottles')
      .addColumn('bottle_id', 'text', (c) => c.primaryKey())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('product_id', 'text', (c) => c.notNull())
      .addColumn('product_name', 'text', (c) => c.notNull())
      .addColumn('remaining', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('booking_id', 'text')
      .addColumn('stored_by', 'text', (c) => c.notNull())
      .addColumn('stored_at', 'timestamptz', (c) => c.notNull())
      .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('withdrawn_by', 'text')
      .addColumn('withdrawn_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('stored_bottles_by_member').on('stored_bottles').columns(['member_id', 'stored_at']).execute();
  },
  async apply(trx: Kysely<BottlesDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as BottleEvent;
      switch (e.type) {
        case 'BottleStored': {
          const d = e.data;
          await trx
            .insertInto('stored_bottles')
            .values({
              bottle_id: d.bottleId,
              member_id: d.memberId,
              product_id: d.productId,
              product_name: d.productName,
              remaining: d.remaining,
              note: d.note,
              booking_id: d.bookingId,
              stored_by: d.storedBy,
              stored_at: new Date(d.at),
              expires_at: new Date(d.expiresAt),
              status: 'stored',
              withdrawn_by: null,
              withdrawn_at: null,
            })
            .onConflict((oc) => oc.column('bottle_id').doNothing())
            .execute();
          break;
        }
        case 'BottleWithdrawn':
          await trx
            .updateTable('stored_bottles')
            .set({ status: 'withdrawn', withdrawn_by: e.data.by, withdrawn_at: new Date(e.data.at) })
            .where('bottle_id', '=', e.data.bottleId)
            .execute();
          break;
        default: {
          const never: never = e;
          throw new Error(`bottles projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});
