import { Type, type Static } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { ReadModels } from '../projections/read-models.js';
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError } from '../src/errors.js';
import { AnswerCache, ALL_SCOPES, AVAILABILITY_CHANNEL } from '../src/infra/answer-cache.js';
import { PricingError, quote, quoteOrRefuse } from '../domain/pricing/quote.js';
import { overlapsSql, stillCountsSql } from '../domain/rooms/occupancy.js';
import type { Price } from '../src/events/bookings.js';
import type { RateCard, VenueSettings } from '../src/events/venue.js';
import { bookingWindow } from '../domain/venue/booking-window.js';
import { businessDayBounds } from '../domain/venue/settings.js';
import type { MembershipLevel } from '../src/events/users.js';
import { latestRateCard, venueSettings } from './venue.js';
import { IdParams, replies } from '../src/http/schemas.js';
import { addMinutes, type Clock } from '../src/clock.js';
import type { PlatformDatabase } from '../src/db/schema.js';
import type { Logger } from '../src/logger.js';
import { AnalyticsBuffer } from '../src/analytics/buffer.js';
import { assignArm } from '../domain/experiments/assignment.js';
import { dynamicFor, type DynamicFacts } from '../domain/pricing/dynamic.js';
import { DynamicPriceReply, dynamicReply } from '../domain/pricing/schema.js';
import { dynamicFactsOf } from './dynamic-pricing.js';

const Money = Type.Object({ total: Type.Integer(), currency: Type.Literal('CNY'), dynamic: Type.Optional(DynamicPriceReply) });
const Offer = Type.Object({ roomId: Type.String(), name: Type.String(), type: Type.String(), capacity: Type.Integer(), price: Money });
const Start = Type.String({ format: 'date-time', description: 'ISO 8601 with offset, e.g. 2026-12-24T20:00:00+08:00' });
const Duration = Type.Integer({ minimum: 1, maximum: 1440 });

type FreeRoom = { id: string; name: string; room_type_id: string; capacity: number };

/**
 * Rooms in service, big enough, of the type asked, with no reservation that
 * still holds time overlapping [start, end + the room's cleaning buffer), and
 * whose buffer ends within the business day. A hold counts until it expires.
 */
export async function freeRooms(
  db: Kysely<ReadModels>,
  q: { start: Date; end: Date; dayEnd: Date; partySize: number; type: string | undefined },
): Promise<FreeRoom[]> {
  const { rows } = await sql<FreeRoom>`
    SELECT r.id, r.name, r.room_type_id, r.capacity
    FROM rm.rooms r JOIN rm.room_types t ON t.id = r.room_type_id
    WHERE r.status = 'in_service' AND r.capacity >= ${q.partySize}
      AND (${q.type ?? null}::text IS NULL OR r.room_type_id = ${q.type ?? null})
      AND ${q.end}::timestamptz + make_interval(mins => t.cleaning_buffer_minutes) <= ${q.dayEnd}::timestamptz
      AND NOT EXISTS (
        SELECT 1 FROM rm.room_reservations x
        WHERE x.room_id = r.id AND ${stillCountsSql('x')}
          AND ${overlapsSql('x', q.start, sql`${q.end}::timestamptz + make_interval(mins => t.cleaning_buffer_minutes)`)})
    ORDER BY r.name`.execute(db);
  return rows;
}

const memberLevel = (request: FastifyRequest): MembershipLevel => request.principal?.membershipLevel ?? 'regular';

function requireCard(card: RateCard | null): RateCard {
  if (!card) throw new ConflictError('no_rate_card', 'No rate card has been published yet.');
  return card;
}

/** Availability, price quotes and a room's day, from `rm.*` only; availability answers are cached per business date. */
export const availabilityQueries: FastifyPluginAsyncTypebox<
  Readonly<{
    readModels: Kysely<ReadModels>;
    db: Kysely<PlatformDatabase>;
    logger: Logger;
    redis: Redis | null;
    databaseUrl: string;
    deploymentId: string;
    clock: Clock;
  }>
> = async (app, ctx) => {
  const db = ctx.readModels;
  const exposures = new AnalyticsBuffer(ctx.db, ctx.logger);
  app.addHook('onClose', () => exposures.flush());
  const cache = new AnswerCache({
    ttlMs: 10_000,
    maxEntries: 5000,
    redis: ctx.redis,
    name: 'availability',
    databaseUrl: ctx.databaseUrl,
    deploymentId: ctx.deploymentId,
  });
  // Listen only once the whole app has started, so an app that fails to start leaves no connection open.
  app.addHook('onReady', () => cache.listen(AVAILABILITY_CHANNEL));
  app.addHook('onClose', () => cache.close());
  // The venue and the rate card in force change rarely and announce it like rooms do.
  const pricing = () =>
    cache.get(ALL_SCOPES, 'pricing', async () => {
      const [venue, card] = await Promise.all([venueSettings(db), latestRateCard(db)]);
      return { venue, card };
    });
  /**
   * What dynamic prices are made from on a business date, and the caller's arm of the experiment on
   * dynamic pricing; a guest shown prices of their arm is exposed to it (recorded as analytics).
   */
  const dynamicOf = async (request: FastifyRequest, card: RateCard, businessDate: string) => {
    if (!card.dynamic) return { facts: null, userId: null, arm: '' };
    const facts = await cache.get(businessDate, 'dynamic', () => dynamicFactsOf(db, businessDate));
    const userId = request.principal?.userId ?? null;
    const x = facts.experiment;
    const arm = x?.running && userId !== null ? assignArm(x.id, x.arms, userId).name : '';
    if (x && arm) exposures.add({ kind: 'exposure', at: ctx.clock(), userId, experimentId: x.id, arm, item: 'price' });
    return { facts, userId, arm };
  };
  const priced = (
    card: RateCard,
    venue: VenueSettings,
    d: { facts: DynamicFacts | null; userId: string | null },
    stay: { roomTypeId: string; start: Date; minutes: number; businessDate: string },
  ) => (d.facts ? dynamicFor(card, venue, { ...stay, guestId: d.userId }, d.facts) : undefined);

  app.get(
    '/availability',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['bookings'],
        summary:
          'Rooms free for the whole interval (cleaning buffer included), big enough, under the price ceiling, with the price a hold would get now',
        querystring: Type.Object(
          {
            start: Start,
            durationMinutes: Duration,
            partySize: Type.Integer({ minimum: 1, maximum: 500 }),
            maxPrice: Type.Optional(Type.Integer({ minimum: 0, description: 'fen' })),
            type: Type.Optional(Type.String({ maxLength: 32 })),
          },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Array(Offer) }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const start = new Date(q.start);
      const { venue, card: published } = await pricing();
      const card = requireCard(published);
      const { businessDate, dayEnd } = bookingWindow(venue, start, q.durationMinutes, ctx.clock());
      const end = addMinutes(start, q.durationMinutes);
      const level = memberLevel(request);
      const dyn = await dynamicOf(request, card, businessDate);
      // Priced, sorted and serialised once per query, member level and experiment arm: a cache hit only sends bytes.
      const key = `${start.toISOString()}|${q.durationMinutes}|${q.partySize}|${q.type ?? ''}|${q.maxPrice ?? ''}|${level}|${dyn.arm}`;
      const body = await cache.get(businessDate, key, async () => {
        const free = await freeRooms(db, { start, end, dayEnd, partySize: q.partySize, type: q.type });
        const offers: Static<typeof Offer>[] = free
          .flatMap((r) => {
            try {
              return [
                {
                  room: r,
                  price: quote(card, venue, {
                    roomTypeId: r.room_type_id,
                    start,
                    minutes: q.durationMinutes,
                    memberLevel: level,
                    dynamic: priced(card, venue, dyn, { roomTypeId: r.room_type_id, start, minutes: q.durationMinutes, businessDate }),
                  }),
                },
              ];
            } catch (err) {
              // A room the card cannot price (a type created after it was published) is not offered: a hold on it would be refused.
              if (!(err instanceof PricingError)) throw err;
              request.log.warn(
                { roomId: r.id, roomTypeId: r.room_type_id, rateCardVersion: card.version, err },
                'room left out of availability: not priced',
              );
              return [];
            }
          })
          .filter(({ price }) => q.maxPrice === undefined || price.total <= q.maxPrice)
          .sort((a, b) => a.price.total - b.price.total || a.room.name.localeCompare(b.room.name))
          .map(({ room, price }) => ({
            roomId: room.id,
            name: room.name,
            type: room.room_type_id,
            capacity: room.capacity,
            price: { total: price.total, currency: 'CNY', ...(price.dynamic ? { dynamic: dynamicReply(price.dynamic) } : {}) },
          }));
        return JSON.stringify(offers);
      });
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get(
    '/quote',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['bookings'],
        summary: 'The price a hold would get now, with its breakdown and the rate-card version',
        querystring: Type.Object(
          { roomId: Type.String({ maxLength: 64 }), start: Start, durationMinutes: Duration },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Record(Type.String(), Type.Unknown()) }),
      },
    },
    async (request): Promise<Price> => {
      const { roomId, start, durationMinutes } = request.query;
      const room = await db.selectFrom('rooms').select(['room_type_id']).where('id', '=', roomId).executeTakeFirst();
      if (!room) throw new NotFoundError('room', roomId);
      const { venue, card } = await pricing();
      const at = new Date(start);
      const { businessDate } = bookingWindow(venue, at, durationMinutes, ctx.clock());
      const rateCard = requireCard(card);
      const stay = { roomTypeId: room.room_type_id, start: at, minutes: durationMinutes, businessDate };
      return quoteOrRefuse(rateCard, venue, {
        ...stay,
        memberLevel: memberLevel(request),
        dynamic: priced(rateCard, venue, await dynamicOf(request, rateCard, businessDate), stay),
      });
    },
  );

  app.get(
    '/rooms/:id/schedule',
    {
      config: { permission: 'booking:read' },
      schema: {
        tags: ['bookings'],
        summary: "A room's business day: its reservations and the free gaps between them (cleaning buffers included)",
        params: IdParams,
        querystring: Type.Object({ date: Type.String({ format: 'date' }) }, { additionalProperties: false }),
        response: replies({
          200: Type.Object({
            roomId: Type.String(),
            date: Type.String(),
            opensAt: Type.String(),
            closesAt: Type.String(),
            reservations: Type.Array(
              Type.Object({
                bookingId: Type.String(),
                start: Type.String(),
                end: Type.String(),
                busyUntil: Type.String(),
                kind: Type.String(),
                status: Type.String(),
                confirmed: Type.Boolean(),
              }),
            ),
            free: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
          }),
        }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const room = await db.selectFrom('rooms').select('id').where('id', '=', id).executeTakeFirst();
      if (!room) throw new NotFoundError('room', id);
      const { venue } = await pricing();
      const { start: opens, end: closes } = businessDayBounds(request.query.date, venue);
      const { rows } = await sql<{
        booking_id: string;
        start_at: Date;
        end_at: Date;
        busy_until: Date;
        kind: string;
        status: string;
        hold_expires_at: Date | null;
      }>`
        SELECT booking_id, start_at, end_at, busy_until, kind, status, hold_expires_at
        FROM rm.room_reservations x
        WHERE x.room_id = ${id} AND x.business_date = ${request.query.date}::date AND ${stillCountsSql('x')}
        ORDER BY start_at`.execute(db);
      const free: { start: string; end: string }[] = [];
      let cursor = opens.getTime();
      for (const r of rows) {
        if (r.start_at.getTime() > cursor) free.push({ start: new Date(cursor).toISOString(), end: r.start_at.toISOString() });
        cursor = Math.max(cursor, r.busy_until.getTime());
      }
      if (cursor < closes.getTime()) free.push({ start: new Date(cursor).toISOString(), end: closes.toISOString() });
      return {
        roomId: id,
        date: request.query.date,
        opensAt: opens.toISOString(),
        closesAt: closes.toISOString(),
        reservations: rows.map((r) => ({
          bookingId: r.booking_id,
          start: r.start_at.toISOString(),
          end: r.end_at.toISOString(),
          busyUntil: r.busy_until.toISOString(),
          kind: r.kind,
          status: r.status,
          confirmed: r.hold_expires_at === null,
        })),
        free,
      };
    },
  );
};
