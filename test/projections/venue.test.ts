import t from 'tap';
import { venueProjection, type VenueDatabase } from '../../projections/venue.js';
import { DEFAULT_VENUE } from '../../domain/venue/settings.js';
import type { RateCard, RateCardEvent, VenueEvent, VenueSettings } from '../../src/events/venue.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';

/** The venue settings in force (`rm.venue_settings`, one row) and every rate card published (`rm.rate_cards`). */
const spec = ProjectionSpecification.for<VenueDatabase>(t, venueProjection);

const monday = '2026-03-09T02:00:00.000Z'; // 10:00 in Shanghai
const friday = '2026-03-13T09:30:00.000Z'; // 17:30 in Shanghai

const configured = (settings: VenueSettings, at: string): VenueEvent => ({
  type: 'VenueConfigured',
  data: { settings, by: 'user-manager', at },
});

const card = (version: number, primeSmall: number): RateCard => ({
  version,
  currency: 'CNY',
  bands: [
    { id: 'day', name: 'Day 06–18', fromMinute: 360, toMinute: 1080 },
    { id: 'prime', name: 'Prime 18–06', fromMinute: 1080, toMinute: 1800 },
  ],
  hourly: { small: { weekday: { day: 3800, prime: primeSmall }, weekend: { day: 4900, prime: primeSmall + 3000 } } },
  packages: [
    { id: 'small-day-3h', name: 'Day 3 hours (small)', roomTypeId: 'small', bandId: 'day', dayKind: 'weekday', minutes: 180, price: 9800 },
  ],
  minimumSpend: { small: 0 },
  memberDiscountPercent: { regular: 0, silver: 5, gold: 10, black: 15 },
  deposit: { percent: 30, minimum: 5000 },
});
const published = (c: RateCard, at: string): RateCardEvent => ({ type: 'RateCardPublished', data: { card: c, by: 'user-manager', at } });

const evenings: VenueSettings = {
  ...DEFAULT_VENUE,
  openAllDay: false,
  opensAtMinute: 18 * 60,
  closesAtMinute: 2 * 60,
  holidays: ['2026-05-01'],
};

t.test('VenueConfigured stores the settings as the one row of venue_settings, updated at the event time', async (t) => {
  await spec(t)
    .given([configured(DEFAULT_VENUE, monday)])
    .expectRows('venue_settings', [{ id: 1, settings: DEFAULT_VENUE, updated_at: new Date(monday) }]);
});

t.test('VenueConfigured again replaces the settings in force; there is still one row', async (t) => {
  await spec(t)
    .given([configured(DEFAULT_VENUE, monday)])
    .when([configured(evenings, friday)])
    .expectRows('venue_settings', [{ id: 1, settings: evenings, updated_at: new Date(friday) }]);
});

t.test('VenueConfigured twice in one batch keeps the later settings', async (t) => {
  await spec(t)
    .given([configured(evenings, monday), configured(DEFAULT_VENUE, friday)])
    .expectRows('venue_settings', [{ id: 1, settings: DEFAULT_VENUE, updated_at: new Date(friday) }]);
});

t.test('VenueConfigured delivered again leaves the same settings', async (t) => {
  await spec(t)
    .given([configured(evenings, friday)])
    .redelivered()
    .expectRows('venue_settings', [{ id: 1, settings: evenings, updated_at: new Date(friday) }]);
});

t.test('RateCardPublished adds the card under its version, published at the event time', async (t) => {
  await spec(t)
    .given([published(card(1, 9800), monday)])
    .expectRows('rate_cards', [{ version: 1, card: card(1, 9800), published_at: new Date(monday) }]);
});

t.test('RateCardPublished of a new version keeps every earlier version beside it', async (t) => {
  await spec(t)
    .given([published(card(1, 9800), monday)])
    .when([published(card(2, 10800), friday)])
    .expectRows(
      'rate_cards',
      [
        { version: 1, card: card(1, 9800), published_at: new Date(monday) },
        { version: 2, card: card(2, 10800), published_at: new Date(friday) },
      ],
      { orderBy: 'version' },
    );
});

t.test('RateCardPublished delivered again, or for a version already stored, keeps the card first stored', async (t) => {
  await spec(t)
    .given([published(card(1, 9800), monday)])
    .redelivered()
    .when([published(card(1, 12000), friday)])
    .expectRows('rate_cards', [{ version: 1, card: card(1, 9800), published_at: new Date(monday) }]);
});
