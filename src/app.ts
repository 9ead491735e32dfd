import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import sensible from '@fastify/sensible';
import underPressure from '@fastify/under-pressure';
import type { Platform } from './platform.js';
import { ProblemSchema, clientErrorHandler, frameworkErrors, registerProblemHandlers } from './http/problem.js';
import { inputPolicyPlugin } from './http/input-policy.js';
import { accessPlugin } from './http/access.js';
import { metricsPlugin } from './http/metrics.js';
import { idempotencyPlugin } from './http/idempotency.js';
import { eventPositionPlugin } from './http/event-position.js';
import { healthRoutes } from './http/health.js';
import { registerRateLimits } from './http/rate-limit.js';
import { registerOpenApi } from './http/openapi.js';
import { UnavailableError } from './errors.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Assembles the HTTP application: infrastructure plugins first, then the features' routes the composition root hands in. */
export async function buildApp(platform: Platform, routes: FastifyPluginAsync): Promise<FastifyInstance> {
  const { config } = platform;
  const app = Fastify({
    loggerInstance: platform.logger,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
    return503OnClosing: true,
    // Errors raised before routing, and by Node's HTTP parser, are problem+json like every other.
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only: without this, Fastify would also parse text/plain bodies into strings.
  app.removeContentTypeParser('text/plain');
  app.addSchema(ProblemSchema);
  registerProblemHandlers(app);
  // Control characters and hostile nesting stop here, before validation, hashing, queries or appends.
  await app.register(inputPolicyPlugin, { maxDepth: config.bodyMaxDepth });
  // A command sent with no body at all is validated as `null`, so routes whose body is optional can say so.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined) request.body = null;
  });
  await app.register(sensible);
  // Sheds load while the event loop lags (OVERLOAD_* settings; 0 turns the check off).
  await app.register(underPressure, {
    maxEventLoopDelay: config.overloadMaxEventLoopDelayMs,
    sampleInterval: config.overloadSampleIntervalMs,
    pressureHandler: () => {
      // Until the server listens nothing outside can reach it: the only callers are in-process
      // `app.inject`s, i.e. the demo seed at start-up (and tests). The lag then comes from start-up
      // itself or a busy host; refusing the seed sheds no one's load and only aborts the start.
      // Returning nothing lets the request through.
      if (!app.server.listening) return;
      throw new UnavailableError('overloaded', 'The service is overloaded; retry shortly.');
    },
  });
  // Before any route, so routes can opt in to a limit with `config.rateLimit`.
  await registerRateLimits(app, platform.redis, config.commandsPerCallerPerMinute);
  // Before any route, so it sees (and checks) every route's permission.
  await app.register(accessPlugin, { users: platform.users, tokens: platform.tokens, revocation: platform.revocation });
  await registerOpenApi(app, config.publicUrl);

  await app.register(metricsPlugin, { metrics: platform.metrics });
  // Before idempotency, so the feed position of what a command appended is stored with its answer and replayed.
  await app.register(eventPositionPlugin);
  await app.register(idempotencyPlugin, { store: platform.idempotency });
  await app.register(healthRoutes, { platform });
  await app.register(routes);
  return app;
}
