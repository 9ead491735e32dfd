import type { FastifyInstance, FastifyRequest } from 'fastify';
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
 * other routes get only the commands limit below. The counters are fixed windows kept in Redis
 * when it is configured, so all instances count together, and otherwise in this
 * process, which is then the only API node. A request over a limit throws a
 * TooManyRequestsError, which the one error handler answers as a 429 problem.
 * Every command (a request that is not GET, HEAD or OPTIONS) to a route with no
 * limit of its own counts against one allowance per caller across all commands:
 * `commandsPerCallerPerMinute`. The plugin's route limits count per route, so this
 * one is a hook over a single counter instead.
 */
export async function registerRateLimits(app: FastifyInstance, redis: Redis | null, commandsPerCallerPerMinute: number): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: REDIS_NAMESPACE } : {}),
    addHeaders: { ...NO_HEADERS, 'retry-after': false },
    addHeadersOnExceeding: NO_HEADERS,
    errorResponseBuilder: (_request, context) => new TooManyRequestsError(retryAfterSeconds(context.ttl)),
  });

  const commands = app.createRateLimit({ max: commandsPerCallerPerMinute, timeWindow: 60_000, keyGenerator: callerKey });
  // preParsing: after the access check (onRequest) has named the caller, before the body is read.
  app.addHook('preParsing', async (request) => {
    if (SAFE_METHODS.has(request.method) || request.routeOptions.config?.rateLimit !== undefined) return;
    const counted = await commands(request);
    if (!counted.isAllowed && counted.isExceeded) throw new TooManyRequestsError(retryAfterSeconds(counted.ttl));
  });
}

/** A route's limit of `max` requests per client IP per minute (IPv6 clients counted by /64, as the plugin does). */
export const perIpPerMinute = (max: number): RateLimitOptions => ({ max, timeWindow: 60_000 });

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The signed-in user, whatever address they call from; otherwise the address. */
const callerKey = (request: FastifyRequest): string =>
  request.principal ? `commands:user:${request.principal.userId}` : `commands:ip:${request.ip}`;
