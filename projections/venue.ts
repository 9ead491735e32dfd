import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import { ALL_SCOPES, staleAvailability } from '../src/infra/answer-cache.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { RateCardEvent, VenueEvent, VenueSettings } from '../src/events/venue.js';
import type { RateCard } from '../src/events/venue.js';

export interface VenueSettingsTable {
  id: number;
  settings: VenueSettings;
  updated_at: Date;
}
export interface RateCardsTable {
  version: number;
  card: RateCard;
  published_at: Date;
}
export type VenueDatabase = { venue_settings: VenueSettingsTable; rate_cards: RateCardsTable };

/** The venue settings in force (`rm.venue_settings`, one row) and every published rate card (`rm.rate_cards`). */
export const venueProjection = defineProjection<VenueDatabase>({
  name: 'venue',
  version: 1,
  tables: ['venue_settings', 'rate_cards'],
  eventTypes: ['VenueConfigured', 'RateCardPublished'],
  async setup(db) {
    await db.schema
      .createTable('venue_settings')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('settings', 'jsonb', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('rate_cards')
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('card', 'jsonb', (c) => c.notNull())
      .addColumn('published_at', 'timestamptz', (c) => c.notNull())
      .execute();
  },
  async apply(trx: Kysely<VenueDatabase>, events: readonly RecordedEvent[]) {
    // Rooms and prices shape every availability answer: all cached ones are stale once this batch commits.
    if (events.length > 0) await staleAvailability(trx, [ALL_SCOPES]);
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as VenueEvent | RateCardEvent;
      switch (e.type) {
        case 'VenueConfigured':
          await trx
            .insertInto('venue_settings')
            .values({ id: 1, settings: sql`${JSON.stringify(e.data.settings)}::jsonb` as never, updated_at: new Date(e.data.at) })
            .onConflict((oc) =>
              oc.column('id').doUpdateSet({ settings: sql`excluded.settings` as never, updated_at: sql`excluded.updated_at` as never }),
            )
            .execute();
          break;
        case 'RateCardPublished':
          await trx
            .insertInto('rate_cards')
            .values({
              version: e.data.card.version,
              card: sql`${JSON.stringify(e.data.card)}::jsonb` as never,
              published_at: new Date(e.data.at),
            })
            .onConflict((oc) => oc.column('version').doNothing())
            .execute();
          break;
        default: {
          const never: never = e;
          throw new Error(`venue projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});
