import type { EventStore } from '../../src/eventstore/port.js';
import { RATE_CARD_STREAM, VENUE_STREAM, type RateCardEvent, type VenueEvent } from '../../src/events/venue.js';
import type { RateCard, VenueSettings } from '../../src/events/venue.js';
import { DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { ConflictError } from '../../src/errors.js';
import { memo } from '../../src/infra/memo.js';

/** How stale venue settings and rate cards may be when a command uses them. */
const FRESH_MS = 1000;

/** The venue settings in force, from their stream (the defaults until a manager changes them). */
export function currentVenue(store: EventStore): Promise<VenueSettings> {
  return memo(store, VENUE_STREAM, FRESH_MS, async () => {
    const { events } = await store.readStream(VENUE_STREAM);
    const last = events.at(-1) as unknown as VenueEvent | undefined;
    return last ? last.data.settings : DEFAULT_VENUE;
  });
}

/** The newest rate card; a hold priced with one up to a second old records that card's version. */
export function currentRateCard(store: EventStore): Promise<RateCard | null> {
  return memo(store, RATE_CARD_STREAM, FRESH_MS, async () => {
    const { events } = await store.readStream(RATE_CARD_STREAM);
    const last = events.at(-1) as unknown as RateCardEvent | undefined;
    return last ? last.data.card : null;
  });
}

export async function requireRateCard(store: EventStore): Promise<RateCard> {
  const card = await currentRateCard(store);
  if (!card) throw new ConflictError('no_rate_card', 'No rate card has been published yet; a manager must publish one.');
  return card;
}
