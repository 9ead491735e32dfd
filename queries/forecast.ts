import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import type { VenueSettings } from '../src/events/venue.js';
import type { Clock } from '../src/clock.js';
import { NotFoundError, ValidationError } from '../src/errors.js';
import { replies } from '../src/http/schemas.js';
import { addDays } from '../domain/venue/time.js';
import { businessDateOf, businessDayBounds } from '../domain/venue/settings.js';
import {
  FORECAST_MODEL_VERSION,
  HOLIDAY_WINDOW_DAYS,
  businessHours,
  forecastDay,
  heatOf,
  observe,
  type Forecast,
  type OnBooks,
  type Weather,
} from '../domain/forecast/demand.js';
import { venueSettings } from './venue.js';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../src/eventstore/port.js';
import { demandStream } from '../src/events/pricing.js';
import { forget } from '../src/infra/memo.js';

/** Stays that took a room: held (while live), paid, used, or paid for and not used. */
const OCCUPYING = ['held', 'confirmed', 'checked_in', 'checked_out', 'no_show'] as const;

export type TypeForecast = Readonly<{ forecast: Forecast; rooms: number; venue: VenueSettings }>;

/** A room type's observed days from `rm.bookings`, up to `to` and back a year from `date`, and its rooms. */
async function historyOf(db: Kysely<ReadModels>, type: string, date: string, to: string, venue: VenueSettings) {
  const from = addDays(date, -HOLIDAY_WINDOW_DAYS);
  const [stays, rooms] = await Promise.all([
    db
      .selectFrom('bookings')
      .select([sql<string>`business_date::text`.as('business_date'), 'start_at', 'end_at', 'created_at'])
      .where('room_type_id', '=', type)
      .where('status', 'in', OCCUPYING)
      .where('business_date', '>=', from)
      .where('business_date', '<=', to)
      .execute(),
    db
      .selectFrom('rooms')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('room_type_id', '=', type)
      .executeTakeFirstOrThrow(),
  ]);
  // The first date with any booking of the type starts the history: before it the venue (or the type) did not exist.
  const first = stays.reduce<string | null>((min, s) => (min === null || s.business_date < min ? s.business_date : min), null);
  const history =
    first === null
      ? []
      : observe(
          stays.map((s) => ({ businessDate: s.business_date, start: s.start_at, end: s.end_at, bookedAt: s.created_at })),
          first,
          to,
          venue,
        );
  return { history, rooms: Number(rooms.n) };
}

/** What is on the books now for a type's dates from `from` to `to`: bookings in progress per hour slot. */
async function onBooksOf(db: Kysely<ReadModels>, type: string, from: string, to: string, venue: VenueSettings, now: Date) {
  const stays = await db
    .selectFrom('bookings')
    .select([sql<string>`business_date::text`.as('business_date'), 'start_at', 'end_at'])
    .where('room_type_id', '=', type)
    .where('status', 'in', OCCUPYING)
    .where('business_date', '>=', from)
    .where('business_date', '<=', to)
    .execute();
  const days = observe(
    stays.map((s) => ({ businessDate: s.business_date, start: s.start_at, end: s.end_at })),
    from,
    to,
    venue,
  );
  return new Map(
    days.map((d): [string, OnBooks] => [
      d.date,
      { hours: d.hours, leadMs: businessDayBounds(d.date, venue).start.getTime() - now.getTime() },
    ]),
  );
}

/**
 * The forecast for one room type and business date from `rm.bookings`. History
 * ends the day before the earlier of `date` and today: today and later are not
 * complete yet, and counting their advance bookings as whole days would read
 * as a slump. Null for an unknown type.
 */
export async function forecastFor(
  db: Kysely<ReadModels>,
  type: string,
  date: string,
  now: Date,
  weather?: Weather,
): Promise<TypeForecast | null> {
  const roomType = await db.selectFrom('room_types').select('id').where('id', '=', type).executeTakeFirst();
  if (!roomType) return null;
  const venue = await venueSettings(db);
  const today = businessDateOf(now, venue);
  const { history, rooms } = await historyOf(db, type, date, addDays(date < today ? date : today, -1), venue);
  // A date not past yet has bookings on the books already: the lead-time part starts from them.
  const onBooks = date >= today ? (await onBooksOf(db, type, date, date, venue, now)).get(date) : undefined;
  return {
    forecast: forecastDay(date, history, venue.holidays, { ...(onBooks ? { onBooks } : {}), ...(weather ? { weather } : {}) }),
    rooms,
    venue,
  };
}

/**
 * Records the forecast's heat for every bookable business date (today to the
 * booking window's end) as `DemandForecastRecorded` on each date's stream, where
 * holds read it: the write side prices from a recorded model output, never from
 * a read model. Every type's history is read once, up to yesterday.
 */
export async function recordDemandForecasts(
  db: Kysely<ReadModels>,
  store: EventStore,
  now: Date,
  weather?: Weather,
): Promise<{ dates: string[] }> {
  const venue = await venueSettings(db);
  const today = businessDateOf(now, venue);
  const dates = Array.from({ length: venue.maxDaysAhead + 1 }, (_, i) => addDays(today, i));
  const types = await db.selectFrom('room_types').select('id').orderBy('id').execute();
  const heat = new Map<string, Record<string, number[]>>(dates.map((d) => [d, {}]));
  for (const { id } of types) {
    const { history, rooms } = await historyOf(db, id, today, addDays(today, -1), venue);
    const booked = await onBooksOf(db, id, today, dates.at(-1) ?? today, venue, now);
    for (const date of dates) {
      const onBooks = booked.get(date);
      const { expected } = forecastDay(date, history, venue.holidays, { ...(onBooks ? { onBooks } : {}), ...(weather ? { weather } : {}) });
      const byType = heat.get(date);
      if (byType) byType[id] = expected.map((e) => Math.round(heatOf(e, rooms) * 1000) / 1000);
    }
  }
  for (const date of dates) {
    await store.appendToStream(
      demandStream(date),
      [
        {
          id: randomUUID(),
          type: 'DemandForecastRecorded',
          data: { businessDate: date, modelVersion: FORECAST_MODEL_VERSION, heat: heat.get(date) ?? {}, at: now.toISOString() },
        },
      ],
      'any',
    );
    forget(store, demandStream(date));
  }
  return { dates };
}

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

const ForecastReply = Type.Object({
  date: Type.String(),
  type: Type.String(),
  hours: Type.Array(
    Type.Object({
      hour: Type.Integer({ minimum: 0, maximum: 23, description: "The venue's clock hour" }),
      heat: Type.Number({ minimum: 0, maximum: 1, description: "Expected share of the type's rooms in use" }),
      expectedBookings: Type.Number({ minimum: 0, description: "The type's bookings expected to be in progress in that hour" }),
    }),
  ),
  model: Type.Object({
    version: Type.Integer(),
    method: Type.Literal('decayed seasonal average'),
    basis: Type.String({ description: '`holiday`, `eve`, or the weekday (0 = Sunday) whose history was averaged' }),
    daysUsed: Type.Integer(),
    rooms: Type.Integer(),
    leadHours: Type.Optional(
      Type.Union([Type.Number(), Type.Null()], {
        description:
          "Hours before the day's start the bookings on the books were counted at (negative once it began); null: no lead-time part",
      }),
    ),
    weather: Type.Optional(
      Type.Union([Type.Object({ condition: Type.String(), factor: Type.Number() }), Type.Null()], {
        description: 'The weather input, when one is plugged in: the date’s condition and its factor on what is still to come',
      }),
    ),
  }),
});

/** The forecast's context; `weather` is the optional weather input (none by default). */
export type ForecastContext = Readonly<{ readModels: Kysely<ReadModels>; store: EventStore; clock: Clock; weather?: Weather }>;

export const forecastQueries: FastifyPluginAsyncTypebox<ForecastContext> = async (app, { readModels, store, clock, weather }) => {
  app.post(
    '/forecast/snapshots',
    {
      config: { permission: 'price:write' },
      schema: {
        tags: ['smart'],
        summary: 'Record the forecast heat of every bookable date now, for dynamic prices (the nightly job does it at 04:45)',
        response: replies({ 201: Type.Object({ dates: Type.Array(Type.String()), modelVersion: Type.Integer() }) }),
      },
    },
    async (_request, reply) => {
      const { dates } = await recordDemandForecasts(readModels, store, clock(), weather);
      return reply.code(201).send({ dates, modelVersion: FORECAST_MODEL_VERSION });
    },
  );

  app.get(
    '/forecast',
    {
      config: { permission: 'forecast:read' },
      schema: {
        tags: ['smart'],
        summary: 'Demand forecast for a room type and business date: expected bookings and heat (0–1) per hour, in business-day order',
        querystring: Type.Object({
          date: Type.String({ pattern: DATE, description: 'A business date, YYYY-MM-DD' }),
          type: Type.String({ minLength: 1, maxLength: 32, description: 'A room type id' }),
        }),
        response: replies({ 200: ForecastReply }),
      },
    },
    async (request) => {
      const { date, type } = request.query;
      if (Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
        throw new ValidationError([{ field: 'date', message: 'is not a calendar date' }]);
      }
      const found = await forecastFor(readModels, type, date, clock(), weather);
      if (!found) throw new NotFoundError('room type', type);
      const { forecast, rooms, venue } = found;
      const clockHours = businessHours(venue);
      const round = (x: number) => Math.round(x * 1000) / 1000;
      return {
        date,
        type,
        hours: clockHours.map((hour, i) => {
          const expected = forecast.expected[i] ?? 0;
          return { hour, heat: round(heatOf(expected, rooms)), expectedBookings: round(expected) };
        }),
        model: {
          version: FORECAST_MODEL_VERSION,
          method: 'decayed seasonal average' as const,
          basis: forecast.basis.kind === 'weekday' ? String(forecast.basis.weekday) : forecast.basis.kind,
          daysUsed: forecast.daysUsed,
          rooms,
          leadHours: forecast.leadMs === null ? null : Math.round(forecast.leadMs / 36_000) / 100,
          weather: forecast.weather,
        },
      };
    },
  );
};
