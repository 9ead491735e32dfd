import type { Kysely } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { PlatformDatabase } from '../src/db/schema.js';
import type { Logger } from '../src/logger.js';
import type { Clock } from '../src/clock.js';
import { AnalyticsBuffer } from '../src/analytics/buffer.js';
import fp from 'fastify-plugin';

type SearchContext = Readonly<{ db: Kysely<PlatformDatabase>; logger: Logger; clock: Clock }>;

/** The searches worth keeping: what was asked, by whom, and how many rooms were offered. */
const SEARCH_ROUTES = new Set(['/availability']);
const ASKED = ['start', 'durationMinutes', 'partySize', 'maxPrice', 'type'] as const;

/**
 * Records every answered availability search as a `search` analytics row
 * (popularity by party size and hour, demand that found no room), after the
 * answer is sent and in batches, so searching costs nothing extra. The search
 * route itself stays a plain query.
 */
const recordSearches: FastifyPluginAsync<SearchContext> = async (app, { db, logger, clock }) => {
  const buffer = new AnalyticsBuffer(db, logger);
  const offered = new WeakMap<object, number>();
  app.addHook('onSend', async (request, reply, payload) => {
    if (SEARCH_ROUTES.has(request.routeOptions.url ?? '') && reply.statusCode === 200 && typeof payload === 'string') {
      offered.set(request, (JSON.parse(payload) as unknown[]).length);
    }
    return payload;
  });
  app.addHook('onResponse', async (request) => {
    const rooms = offered.get(request);
    if (rooms === undefined) return;
    const query = request.query as Record<string, unknown>;
    const asked = Object.fromEntries(ASKED.filter((k) => query[k] !== undefined).map((k) => [k, query[k]]));
    buffer.add({ kind: 'search', at: clock(), userId: request.principal?.userId ?? null, props: { ...asked, rooms } });
  });
  app.addHook('onClose', () => buffer.flush());
};

/** Not encapsulated: its hooks watch the search routes that other plugins register. Register it before them. */
export const searchAnalytics = fp(recordSearches, { name: 'search-analytics' });
