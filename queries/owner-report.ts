import { Type, type Static } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { ANALYST_VIEWS } from '../src/db/analysts.js';
import { ValidationError } from '../src/errors.js';
import { replies } from '../src/http/schemas.js';
import { venueSettings } from './venue.js';

const BusinessDate = Type.String({ format: 'date', description: 'A business date, YYYY-MM-DD' });
/** A year at most: the figures are worked out from the journal on every call. */
const MAX_DAYS = 366;

const Figures = Type.Object({
  revenue: Type.Integer({ description: "the parties' revenue, tax included: their bills, adjustments, refunds and forfeits" }),
  netRevenue: Type.Integer({ description: 'revenue less the VAT' }),
  productRevenue: Type.Integer({ description: 'food and drink, net of VAT (account 6002)' }),
  fnbShare: Type.Number({ description: 'productRevenue / netRevenue, 4 decimals; 0 with no revenue' }),
  memberRevenue: Type.Integer({ description: 'revenue of bookings priced at a member level above regular' }),
  memberShare: Type.Number({ description: 'memberRevenue / revenue, 4 decimals; 0 with no revenue' }),
  parties: Type.Integer({ description: 'bookings checked out in the period' }),
  averageSpendPerParty: Type.Integer({ description: 'their revenue / parties, rounded to the fen; 0 with no party' }),
});

const OwnerReport = Type.Object({
  from: Type.String(),
  to: Type.String(),
  days: Type.Integer(),
  headline: Figures,
  revenueByDay: Type.Array(
    Type.Object({
      businessDate: Type.String(),
      room: Type.Integer({ description: 'room time, net of VAT (6001)' }),
      products: Type.Integer({ description: 'food and drink, net of VAT (6002)' }),
      adjustments: Type.Integer({ description: 'discounts and comps, negative (6003)' }),
      other: Type.Integer({ description: 'refunds after check-out and forfeited deposits (6004, 6051)' }),
      vat: Type.Integer(),
      total: Type.Integer({ description: 'the sum of the above: revenue, tax included' }),
    }),
  ),
  revenueByRoomHour: Type.Array(
    Type.Object({
      roomId: Type.String(),
      hour: Type.Integer({ minimum: 0, maximum: 23, description: 'local hour the stay started' }),
      bookings: Type.Integer(),
      revenue: Type.Integer(),
    }),
  ),
  occupancy: Type.Object({
    hours: Type.Array(Type.Integer({ minimum: 0, maximum: 23 }), { description: 'the hours of a business day, from its start' }),
    rooms: Type.Array(
      Type.Object({
        roomId: Type.String(),
        name: Type.String(),
        cells: Type.Array(
          Type.Object({
            hour: Type.Integer({ minimum: 0, maximum: 23 }),
            occupiedMinutes: Type.Integer(),
            rate: Type.Number({ description: 'occupiedMinutes / (60 × days), 4 decimals' }),
          }),
        ),
      }),
    ),
  }),
  currency: Type.Literal('CNY'),
});
export type OwnerReport = Static<typeof OwnerReport>;

const view = (name: 'revenue_room_hourly' | 'party_spend' | 'occupancy_room_hourly') => sql.raw(`(${ANALYST_VIEWS[name]!.body})`);
const ratio = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;

/**
 * The owner's figures for business dates from..to, from the same SQL as the analysts' views
 * (src/db/analysts.ts), so the page, the API and the analysts agree to the fen.
 */
export async function ownerReport(db: Kysely<ReadModels>, from: string, to: string): Promise<OwnerReport> {
  const days = daysBetween(from, to);
  const inPeriod = sql`business_date BETWEEN ${from}::date AND ${to}::date`;
  const { rows: byDay } = await sql<{
    businessDate: string;
    room: number;
    products: number;
    adjustments: number;
    other: number;
    vat: number;
    total: number;
    member: number;
  }>`
    SELECT business_date::text AS "businessDate", sum(room_revenue)::float8 AS room, sum(product_revenue)::float8 AS products,
           sum(adjustments)::float8 AS adjustments, sum(other_revenue)::float8 AS other, sum(vat)::float8 AS vat,
           sum(revenue)::float8 AS total, sum(member_revenue)::float8 AS member
    FROM ${view('revenue_room_hourly')} r WHERE ${inPeriod} GROUP BY 1 ORDER BY 1`.execute(db);
  const { rows: byRoomHour } = await sql<OwnerReport['revenueByRoomHour'][number]>`
    SELECT room_id AS "roomId", hour, sum(bookings)::int AS bookings, sum(revenue)::float8 AS revenue
    FROM ${view('revenue_room_hourly')} r WHERE ${inPeriod} GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  const { rows: parties } = await sql<{ parties: number; revenue: number }>`
    SELECT count(*)::int AS parties, coalesce(sum(revenue), 0)::float8 AS revenue
    FROM ${view('party_spend')} p WHERE ${inPeriod}`.execute(db);
  const { rows: occupied } = await sql<{ roomId: string; hour: number; minutes: number }>`
    SELECT room_id AS "roomId", hour, sum(occupied_minutes)::int AS minutes
    FROM ${view('occupancy_room_hourly')} o WHERE ${inPeriod} GROUP BY 1, 2`.execute(db);
  const rooms = await db.selectFrom('rooms').select(['id', 'name']).where('retired_at', 'is', null).orderBy('name').execute();

  const sum = (field: 'total' | 'vat' | 'products' | 'member') => byDay.reduce((s, d) => s + d[field], 0);
  const revenue = sum('total');
  const netRevenue = revenue - sum('vat');
  const party = parties[0] ?? { parties: 0, revenue: 0 };
  const venue = await venueSettings(db);
  const firstHour = Math.floor(venue.businessDayStartMinute / 60);
  const hours = Array.from({ length: 24 }, (_, i) => (firstHour + i) % 24);
  const minutes = new Map(occupied.map((o) => [`${o.roomId} ${o.hour}`, o.minutes]));
  // Rooms retired since still show when they were used in the period.
  const listed = [...rooms.map((r) => ({ roomId: r.id, name: r.name }))];
  for (const o of occupied) if (!listed.some((r) => r.roomId === o.roomId)) listed.push({ roomId: o.roomId, name: o.roomId });
  return {
    from,
    to,
    days,
    headline: {
      revenue,
      netRevenue,
      productRevenue: sum('products'),
      fnbShare: ratio(sum('products'), netRevenue),
      memberRevenue: sum('member'),
      memberShare: ratio(sum('member'), revenue),
      parties: party.parties,
      averageSpendPerParty: party.parties === 0 ? 0 : Math.round(party.revenue / party.parties),
    },
    revenueByDay: byDay.map(({ member: _member, ...day }) => day),
    revenueByRoomHour: byRoomHour,
    occupancy: {
      hours,
      rooms: listed.map((r) => ({
        ...r,
        cells: hours.map((hour) => {
          const occupiedMinutes = minutes.get(`${r.roomId} ${hour}`) ?? 0;
          return { hour, occupiedMinutes, rate: ratio(occupiedMinutes, 60 * days) };
        }),
      })),
    },
    currency: 'CNY',
  };
}

/** GET /reports/owner: the owner's figures for a period, for managers, accountants and admins. */
export const ownerReportQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, ctx) => {
  app.get(
    '/reports/owner',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['reports'],
        summary: "The owner's report: revenue by day and category, by room and hour, spend per party, F&B and member shares, occupancy",
        description:
          'Business dates from..to inclusive (a year at most). Revenue is the journal\'s, tax included, of lines that belong to a booking; the hour is the local hour the stay started. See the README, "Reports for the owner".',
        querystring: Type.Object({ from: BusinessDate, to: BusinessDate }, { additionalProperties: false }),
        response: replies({ 200: OwnerReport }),
      },
    },
    async (request) => {
      const { from, to } = request.query;
      if (from > to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
      if (daysBetween(from, to) > MAX_DAYS) throw new ValidationError([{ field: 'to', message: `at most ${MAX_DAYS} days after from` }]);
      return ownerReport(ctx.readModels, from, to);
    },
  );
};
