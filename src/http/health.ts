import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Platform } from '../platform.js';
import { projectionLag, type Lag } from '../projections/lag.js';

const Check = Type.Object({ ok: Type.Boolean(), ms: Type.Number(), error: Type.Optional(Type.String()) });
const LagSchema = Type.Object({
  name: Type.String(),
  generation: Type.Integer(),
  version: Type.Integer(),
  status: Type.String(),
  applied: Type.Integer(),
  eventsBehind: Type.Integer(),
  msBehind: Type.Number(),
});
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Object({ eventStore: Check, readModels: Check }),
  projections: Type.Array(LagSchema),
});

async function timed(fn: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  try {
    await fn();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - started), error: err instanceof Error ? err.message : String(err) };
  }
}

/** Liveness, readiness (with projection lag) and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const { store, db, metrics } = platform;

  app.get(
    '/healthz',
    {
      config: { permission: 'public' },
      schema: { tags: ['operations'], summary: 'The process is running', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'The event store and the read-model database answer; projection lag in the detail',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const [eventStore, readModels] = await Promise.all([
        timed(() => store.ping()),
        timed(() => db.selectNoFrom((eb) => eb.lit(1).as('one')).execute()),
      ]);
      let projections: Lag[] = [];
      if (eventStore.ok && readModels.ok) projections = await projectionLag(db, store).catch(() => []);
      const ready = eventStore.ok && readModels.ok;
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { eventStore, readModels }, projections });
    },
  );

  app.get(
    '/metrics',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }) },
      },
    },
    async (_request, reply) => {
      const lags = await projectionLag(db, store).catch(() => []);
      metrics.lagEvents.reset();
      metrics.lagSeconds.reset();
      for (const l of lags) {
        metrics.lagEvents.set({ projection: l.name, status: l.status }, l.eventsBehind);
        metrics.lagSeconds.set({ projection: l.name, status: l.status }, l.msBehind / 1000);
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
};
