import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../src/eventstore/port.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { UnprocessableError, ValidationError } from '../../src/errors.js';
import { RATE_CARD_STREAM, VENUE_SETTINGS_SCHEMA_VERSION, VENUE_STREAM, type RateCardEvent } from '../../src/events/venue.js';
import { forget } from '../../src/infra/memo.js';
import { WrongExpectedVersionError } from '../../src/eventstore/port.js';
import type { RateCard } from '../../src/events/venue.js';
import type { VenueSettingsBody } from '../../domain/venue/schema.js';
import { replies } from '../../src/http/schemas.js';
import type { Clock } from '../../src/clock.js';

const Minute = Type.Integer({ minimum: 0, maximum: 1440 });
const Percent = Type.Integer({ minimum: 0, maximum: 90 });
const Money = Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'fen' });

const Multiplier = Type.Number({ minimum: 0.5, maximum: 2 });
const DayRates = Type.Record(Type.String(), Money);
export const RateCardBody = Type.Object(
  {
    currency: Type.Literal('CNY'),
    bands: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
          name: Type.String({ minLength: 1, maxLength: 40 }),
          fromMinute: Minute,
          toMinute: Minute,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 24 },
    ),
    hourly: Type.Record(Type.String(), Type.Object({ weekday: DayRates, weekend: DayRates }, { additionalProperties: false })),
    packages: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1, maxLength: 40 }),
          name: Type.String({ minLength: 1, maxLength: 80 }),
          roomTypeId: Type.String({ minLength: 1, maxLength: 32 }),
          bandId: Type.String({ minLength: 1, maxLength: 32 }),
          dayKind: Type.Union([Type.Literal('weekday'), Type.Literal('weekend'), Type.Literal('any')]),
          minutes: Type.Integer({ minimum: 15, maximum: 1440 }),
          price: Money,
        },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 200 },
    ),
    minimumSpend: Type.Record(Type.String(), Money, { default: {} }),
    memberDiscountPercent: Type.Object(
      { regular: Percent, silver: Percent, gold: Percent, black: Percent },
      { additionalProperties: false, description: 'Percent off per membership level' },
    ),
    deposit: Type.Object({ percent: Type.Integer({ minimum: 0, maximum: 100 }), minimum: Money }, { additionalProperties: false }),
    dynamic: Type.Optional(
      Type.Object(
        {
          bands: Type.Array(
            Type.Object(
              {
                fromHeat: Type.Number({ minimum: 0, exclusiveMaximum: 1 }),
                fromMultiplier: Multiplier,
                toMultiplier: Multiplier,
              },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 10, description: 'From heat 0 up, each band until the next one starts' },
          ),
          floor: Type.Number({ minimum: 0.5, maximum: 1, description: 'The least multiplier, whatever the heat' }),
          ceiling: Type.Number({ minimum: 1, maximum: 2, description: 'The greatest multiplier, whatever the heat' }),
        },
        {
          additionalProperties: false,
          description: 'Opt-in dynamic pricing: forecast heat to a multiplier on the room price, rounded to whole yuan',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The bands must tile the day exactly, and every room type must have a rate in every band. */
function checkRateCard(card: Static<typeof RateCardBody>): void {
  const sorted = [...card.bands].sort((a, b) => a.fromMinute - b.fromMinute);
  let at = 0;
  for (const b of sorted) {
    if (b.fromMinute !== at || b.toMinute <= b.fromMinute)
      throw new ValidationError([{ field: 'bands', message: 'bands must cover 00:00–24:00 without gaps or overlaps' }]);
    at = b.toMinute;
  }
  if (at !== 1440) throw new ValidationError([{ field: 'bands', message: 'bands must cover 00:00–24:00 without gaps or overlaps' }]);
  const missing: string[] = [];
  for (const [type, rates] of Object.entries(card.hourly)) {
    for (const kind of ['weekday', 'weekend'] as const) {
      for (const b of card.bands) if (rates[kind][b.id] === undefined) missing.push(`hourly.${type}.${kind}.${b.id}`);
    }
  }
  if (missing.length > 0) throw new ValidationError(missing.slice(0, 20).map((field) => ({ field, message: 'is required' })));
  for (const p of card.packages) {
    if (!card.bands.some((b) => b.id === p.bandId))
      throw new ValidationError([{ field: `packages.${p.id}.bandId`, message: 'is not a band of this card' }]);
  }
  const heats = card.dynamic?.bands.map((b) => b.fromHeat) ?? [0];
  if (heats[0] !== 0 || heats.some((h, i) => i > 0 && h <= (heats[i - 1] ?? 0)))
    throw new ValidationError([{ field: 'dynamic.bands', message: 'must start at heat 0 and rise band by band' }]);
}

/** Venue settings and rate cards, each a stream of whole new versions; prices already decided never change. */
export const venueCommands: FastifyPluginAsyncTypebox<Readonly<{ store: EventStore; clock: Clock }>> = async (app, { store, clock }) => {
  app.put(
    '/venue',
    {
      config: { permission: 'price:write' },
      schema: {
        tags: ['pricing'],
        summary: 'Replace the venue settings: time zone, opening hours, business-day start, hold time, grid, policies, holidays',
        body: Type.Ref('VenueSettings'),
        response: replies({ 200: Type.Ref('VenueSettings') }),
      },
    },
    async (request) => {
      const settings = request.body as VenueSettingsBody;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: settings.timeZone });
      } catch {
        throw new ValidationError([{ field: 'timeZone', message: 'is not a known IANA time zone' }]);
      }
      if (settings.minDurationMinutes > settings.maxDurationMinutes) {
        throw new ValidationError([{ field: 'minDurationMinutes', message: 'must not exceed maxDurationMinutes' }]);
      }
      forget(store, VENUE_STREAM);
      await store.appendToStream(
        VENUE_STREAM,
        [
          {
            id: randomUUID(),
            type: 'VenueConfigured',
            schemaVersion: VENUE_SETTINGS_SCHEMA_VERSION,
            data: { settings, by: principalOf(request).userId, at: clock().toISOString() },
            metadata: metadataOf(request),
          },
        ],
        'any',
      );
      forget(store, VENUE_STREAM);
      return settings;
    },
  );

  app.post(
    '/rate-cards',
    {
      config: { permission: 'price:write' },
      schema: {
        tags: ['pricing'],
        summary: 'Publish a new rate card version; existing bookings keep the price they were held at',
        body: RateCardBody,
        response: replies({ 201: Type.Object({ version: Type.Integer() }) }),
      },
    },
    async (request, reply) => {
      checkRateCard(request.body);
      for (let attempt = 0; attempt < 5; attempt++) {
        const { version: streamVersion, events } = await store.readStream(RATE_CARD_STREAM);
        const previous = events.at(-1) as unknown as RateCardEvent | undefined;
        const card: RateCard = { ...request.body, version: (previous?.data.card.version ?? 0) + 1 };
        try {
          await store.appendToStream(
            RATE_CARD_STREAM,
            [
              {
                id: randomUUID(),
                type: 'RateCardPublished',
                data: { card, by: principalOf(request).userId, at: clock().toISOString() },
                metadata: metadataOf(request),
              },
            ],
            streamVersion === 0n ? 'no_stream' : streamVersion,
          );
          forget(store, RATE_CARD_STREAM);
          return reply.code(201).send({ version: card.version });
        } catch (err) {
          if (!(err instanceof WrongExpectedVersionError)) throw err;
        }
      }
      throw new UnprocessableError('rate_card_busy', 'Another rate card was being published; retry.');
    },
  );
};
