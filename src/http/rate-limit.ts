import type { FastifyInstance } from 'fastify';
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { TooManyRequestsError } from '../errors.js';

/** Whole seconds to wait, at least one: a window about to end still asks the client to pause. */
export const retryAfterSeconds = (ttlMs: number): number => Math.max(1, Math.ceil(ttlMs / 1000));

/** The namespace of the counters in Redis, shared by every instance of the service. */
const REDIS_NAMESPACE = 'ktv:rl:';

/** Only Retry-After is sent, and problem.ts sends it, so limited routes answer exactly as they did before the plugin. */
const NO_HEADERS = { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false } as const;

/**
 * Registers @fastify/rate-limit for the routes that opt in with `config.rateLimit`;
 * every other route is left alone. The counters are fixed windows kept in Redis
 * when it is configured, so all instances count together, and otherwise in this
 * process, which is then the only API node. A request over a limit throws a
 * TooManyRequestsError, which the one error handler answers as a 429 problem.
 */
export async function registerRateLimits(app: FastifyInstance, redis: Redis | null): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: REDIS_NAMESPACE } : {}),
    addHeaders: { ...NO_HEADERS, 'retry-after': false },
    addHeadersOnExceeding: NO_HEADERS,
    errorResponseBuilder: (_request, context) => new TooManyRequestsError(retryAfterSeconds(context.ttl)),
  });
}

/** A route's limit of `max` requests per client IP per minute (IPv6 clients counted by /64, as the plugin does). */
export const perIpPerMinute = (max: number): RateLimitOptions => ({ max, timeWindow: 60_000 });
