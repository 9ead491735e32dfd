import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import type { VenueSettings } from '../src/events/venue.js';
import type { Clock } from '../src/clock.js';
import { NotFoundError, ValidationError } from '../src/errors.js';
import { replies } from '../src/http/schemas.js';
import { addDays } from '../domain/venue/time.js';
import { businessDateOf } from '../domain/venue/settings.js';
import {
  FORECAST_MODEL_VERSION,
  HOLIDAY_WINDOW_DAYS,
  businessHours,
  forecastDay,
  heatOf,
  observe,
  type Forecast,
} from '../domain/forecast/demand.js';
import { venueSettings } from './venue.js';

/** Stays that took a room: held (while live), paid, used, or paid for and not used. */
const OCCUPYING = ['held', 'confirmed', 'checked_in', 'checked_out', 'no_show'] as const;

export type TypeForecast = Readonly<{ forecast: Forecast; rooms: number; venue: VenueSettings }>;

/**
 * The forecast for one room type and business date from `rm.bookings`. History
 * ends the day before the earlier of `date` and today: today and later are not
 * complete yet, and counting their advance bookings as whole days would read
 * as a slump. Null for an unknown type.
 */
export async function forecastFor(db: Kysely<ReadModels>, type: string, date: string, now: Date): Promise<TypeForecast | null> {
  const roomType = await db.selectFrom('room_types').select('id').where('id', '=', type).executeTakeFirst();
  if (!roomType) return null;
  const venue = await venueSettings(db);
  const today = businessDateOf(now, venue);
  const to = addDays(date < today ? date : today, -1);
  const from = addDays(date, -HOLIDAY_WINDOW_DAYS);
  const [stays, rooms] = await Promise.all([
    db
      .selectFrom('bookings')
      .select([sql<string>`business_date::text`.as('business_date'), 'start_at', 'end_at'])
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
          stays.map((s) => ({ businessDate: s.business_date, start: s.start_at, end: s.end_at })),
          first,
          to,
          venue,
        );
  return { forecast: forecastDay(date, history, venue.holidays), rooms: Number(rooms.n), venue };
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
  }),
});

export const forecastQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels>; clock: Clock }>> = async (
  app,
  { readModels, clock },
) => {
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
      const found = await forecastFor(readModels, type, date, clock());
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
        },
      };
    },
  );
};
