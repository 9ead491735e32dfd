import type { Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { ReleaseEvent } from '../src/events/venue.js';

export interface ReleasesTable {
  business_date: string;
  opens_at: Date;
  scheduled_at: Date;
}
export type ReleasesDatabase = { releases: ReleasesTable };

/** When each released business date opens for booking (`rm.releases`, one row per date). */
export const releasesProjection = defineProjection<ReleasesDatabase>({
  name: 'releases',
  version: 1,
  tables: ['releases'],
  eventTypes: ['ReleaseScheduled'],
  async setup(db) {
    await db.schema
      .createTable('releases')
      .addColumn('business_date', 'text', (c) => c.primaryKey())
      .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
      .addColumn('scheduled_at', 'timestamptz', (c) => c.notNull())
      .execute();
  },
  async apply(trx: Kysely<ReleasesDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as ReleaseEvent;
      const row = { business_date: e.data.businessDate, opens_at: new Date(e.data.opensAt), scheduled_at: new Date(e.data.at) };
      await trx
        .insertInto('releases')
        .values(row)
        .onConflict((oc) => oc.column('business_date').doUpdateSet({ opens_at: row.opens_at, scheduled_at: row.scheduled_at }))
        .execute();
    }
  },
});
