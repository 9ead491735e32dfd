import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../../projections/read-models.js';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { Config } from '../../src/config.js';
import type { Clock } from '../../src/clock.js';
import { principalOf } from '../../src/http/access.js';
import { replies } from '../../src/http/schemas.js';
import { recordAnalytics } from '../../src/analytics/events.js';
import { createTtlCache } from '../../src/infra/ttl-cache.js';
import { assignArm } from '../../domain/experiments/assignment.js';
import { localParts } from '../../domain/venue/time.js';
import { venueSettings } from '../venue.js';
import { buildRecommender, latestModel } from './build.js';
import { recommend, type Algorithm, type Recommendation } from './recommend.js';

/** Arms with these names get popularity alone (the baseline); any other arm name gets collaborative filtering. */
const BASELINE_ARMS = new Set(['popular', 'popularity', 'control', 'baseline']);

const Item = Type.Object({
  roomTypeId: Type.String(),
  roomId: Type.Optional(Type.String()),
  score: Type.Number({ minimum: 0, maximum: 1 }),
  reason: Type.String(),
});

export type RecommendationContext = Readonly<{
  readModels: Kysely<ReadModels>;
  db: Kysely<PlatformDatabase>;
  redis: Redis | null;
  config: Config;
  clock: Clock;
}>;

type Strategy = Readonly<{ strategy: string; algorithm: Algorithm; experimentId: string | null; arm: string | null }>;

/**
 * GET /recommendations and the clicks on them. Lists are cached per guest and
 * ask for RECOMMENDATIONS_CACHE_SECONDS (Redis, else the process), keyed by the
 * model build and the guest's own latest booking, so a rebuild or a new
 * booking is seen at once.
 */
export const recommendationQueries: FastifyPluginAsyncTypebox<RecommendationContext> = async (app, ctx) => {
  const { readModels, db, clock } = ctx;
  const cache = createTtlCache(ctx.redis, 'ktv:recommendations:');
  const ttl = ctx.config.recommendationsCacheSeconds;

  /** The running `recommendations` experiment decides the strategy: the guest's arm. */
  const strategyOf = async (guestId: string): Promise<Strategy> => {
    const running = await readModels
      .selectFrom('experiments')
      .select(['id', 'arms'])
      .where('subject', '=', 'recommendations')
      .where('status', '=', 'running')
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!running) return { strategy: 'collaborative', algorithm: 'collaborative', experimentId: null, arm: null };
    const arm = assignArm(running.id, running.arms, guestId).name;
    return { strategy: arm, algorithm: BASELINE_ARMS.has(arm) ? 'popular' : 'collaborative', experimentId: running.id, arm };
  };

  /** The model serving now; built on the spot when there has never been one (a new venue, a fresh database). */
  const model = async (now: Date) => (await latestModel(db)) ?? (await buildRecommender(db, readModels, now));

  app.get(
    '/recommendations',
    {
      config: { permission: 'recommendation:read' },
      schema: {
        tags: ['smart'],
        summary: "The signed-in guest's room recommendations, best first, and the strategy (experiment arm) that chose them",
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 50, default: 5 }),
          partySize: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 200, description: 'For a guest with no history: popular for this size' }),
          ),
          start: Type.Optional(
            Type.String({ format: 'date-time', maxLength: 40, description: 'For a guest with no history: popular around this time' }),
          ),
        }),
        response: replies({ 200: Type.Object({ items: Type.Array(Item), strategy: Type.String() }) }),
      },
    },
    async (request) => {
      const guestId = principalOf(request).userId;
      const { limit, partySize, start } = request.query;
      const now = clock();
      const venue = await venueSettings(readModels);
      const hour = start !== undefined ? localParts(new Date(start), venue.timeZone).hour : undefined;
      const strategy = await strategyOf(guestId);
      const [current, stamp] = await Promise.all([
        model(now),
        readModels
          .selectFrom('bookings')
          .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('last')])
          .where('guest_id', '=', guestId)
          .executeTakeFirstOrThrow(),
      ]);
      const key = [
        current.builtAt,
        guestId,
        strategy.algorithm,
        limit,
        partySize ?? '',
        hour ?? '',
        stamp.n,
        stamp.last?.valueOf() ?? '',
      ].join('|');
      let list = ttl > 0 ? await cache.get<{ items: Recommendation[]; used: Algorithm }>(key) : undefined;
      if (!list) {
        list = await recommend(readModels, current, strategy.algorithm, { guestId, limit, partySize, hour, now }, venue.timeZone);
        if (ttl > 0) await cache.set(key, list, ttl);
      }
      const { items } = list;
      const seen = { userId: guestId, experimentId: strategy.experimentId, arm: strategy.arm, at: now };
      await recordAnalytics(db, [
        ...(strategy.experimentId ? [{ kind: 'exposure' as const, ...seen }] : []),
        ...items.map((item, rank) => ({
          kind: 'impression' as const,
          ...seen,
          item: item.roomId ?? item.roomTypeId,
          props: { strategy: strategy.strategy, rank, roomTypeId: item.roomTypeId },
        })),
      ]);
      // Outside an experiment the strategy says what chose the list: collaborative filtering, or popularity for a guest without history.
      return { items, strategy: strategy.experimentId ? strategy.strategy : list.used };
    },
  );

  app.post(
    '/recommendations/clicks',
    {
      config: { permission: 'recommendation:read' },
      schema: {
        tags: ['smart'],
        summary: 'Record that the guest opened a recommended item (a conversion of the running recommendations experiment)',
        body: Type.Object(
          {
            roomTypeId: Type.String({ minLength: 1, maxLength: 32 }),
            roomId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: replies({ 201: Type.Object({ strategy: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const guestId = principalOf(request).userId;
      const strategy = await strategyOf(guestId);
      const { roomTypeId, roomId } = request.body;
      await recordAnalytics(db, [
        {
          kind: 'click',
          at: clock(),
          userId: guestId,
          experimentId: strategy.experimentId,
          arm: strategy.arm,
          item: roomId ?? roomTypeId,
          props: { roomTypeId, strategy: strategy.strategy },
        },
      ]);
      return reply.code(201).send({ strategy: strategy.strategy });
    },
  );
};
