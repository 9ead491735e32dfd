import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import { ALL_SCOPES, staleAvailability } from '../src/infra/answer-cache.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { RateCardEvent, VenueEvent, VenueSettings } from '../src/events/venue.js';
import type { RateCard } from '../src/events/venue.js';
import type { DemandEvent, DynamicPricingEvent } from '../src/events/pricing.js';

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
/** The dynamic-pricing switch (one row, `id` = 1; no row: on, no experiment). */
export interface DynamicPricingTable {
  id: number;
  enabled: boolean;
  experiment_id: string | null;
  updated_at: Date;
}
/** The newest recorded forecast heat per business date and room type: 24 values in business-day hour order. */
export interface DemandHeatTable {
  business_date: string;
  room_type_id: string;
  heat: number[];
  model_version: number;
  recorded_at: Date;
}
export type VenueDatabase = {
  venue_settings: VenueSettingsTable;
  rate_cards: RateCardsTable;
  dynamic_pricing: DynamicPricingTable;
  demand_heat: DemandHeatTable;
};

/**
 * The venue settings in force (`rm.venue_settings`, one row), every published rate card
 * (`rm.rate_cards`), and what dynamic prices are made from: the switch (`rm.dynamic_pricing`) and
 * the recorded forecast heat (`rm.demand_heat`), so quotes price as holds do.
 */
export const venueProjection = defineProjection<VenueDatabase>({
  name: 'venue',
  // 2: the dynamic-pricing switch and the recorded forecast heat.
  version: 2,
  tables: ['venue_settings', 'rate_cards', 'dynamic_pricing', 'demand_heat'],
  eventTypes: ['VenueConfigured', 'RateCardPublished', 'DynamicPricingSet', 'DemandForecastRecorded'],
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
    await db.schema
      .createTable('dynamic_pricing')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('enabled', 'boolean', (c) => c.notNull())
      .addColumn('experiment_id', 'text')
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('demand_heat')
      .addColumn('business_date', 'date', (c) => c.notNull())
      .addColumn('room_type_id', 'text', (c) => c.notNull())
      .addColumn('heat', 'jsonb', (c) => c.notNull())
      .addColumn('model_version', 'integer', (c) => c.notNull())
      .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('demand_heat_pk', ['business_date', 'room_type_id'])
      .execute();
  },
  async apply(trx: Kysely<VenueDatabase>, events: readonly RecordedEvent[]) {
    // Rooms and prices shape every availability answer: all cached ones are stale once this batch commits.
    if (events.length > 0) await staleAvailability(trx, [ALL_SCOPES]);
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as VenueEvent | RateCardEvent | DynamicPricingEvent | DemandEvent;
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
        case 'DynamicPricingSet':
          await trx
            .insertInto('dynamic_pricing')
            .values({ id: 1, enabled: e.data.enabled, experiment_id: e.data.experimentId, updated_at: new Date(e.data.at) })
            .onConflict((oc) =>
              oc.column('id').doUpdateSet({
                enabled: sql`excluded.enabled`,
                experiment_id: sql`excluded.experiment_id`,
                updated_at: sql`excluded.updated_at`,
              }),
            )
            .execute();
          break;
        case 'DemandForecastRecorded': {
          const rows = Object.entries(e.data.heat).map(([type, heat]) => ({
            business_date: e.data.businessDate,
            room_type_id: type,
            heat: sql`${JSON.stringify(heat)}::jsonb` as never,
            model_version: e.data.modelVersion,
            recorded_at: new Date(e.data.at),
          }));
          if (rows.length === 0) break;
          await trx
            .insertInto('demand_heat')
            .values(rows)
            .onConflict((oc) =>
              oc.columns(['business_date', 'room_type_id']).doUpdateSet({
                heat: sql`excluded.heat`,
                model_version: sql`excluded.model_version`,
                recorded_at: sql`excluded.recorded_at`,
              }),
            )
            .execute();
          break;
        }
        default: {
          const never: never = e;
          throw new Error(`venue projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});
