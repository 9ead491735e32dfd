import type { DomainEvent } from '../eventstore/decide.js';
import type { RateCard } from '../pricing/rate-card.js';
import type { VenueSettings } from '../venue/settings.js';

/** Events of the `venue-settings` stream. */
export type VenueEvent = DomainEvent<'VenueConfigured', Readonly<{ settings: VenueSettings; by: string; at: string }>>;

/** Events of the `ratecard-venue` stream: every publication is a whole new version. */
export type RateCardEvent = DomainEvent<'RateCardPublished', Readonly<{ card: RateCard; by: string; at: string }>>;

export const VENUE_STREAM = 'venue-settings';
export const RATE_CARD_STREAM = 'ratecard-venue';
