import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { openPlatform, type Platform } from '../platform.js';
import { buildApp } from '../app.js';
import { ProjectionRunner } from '../projections/runner.js';
import { installProjections } from '../projections/registry.js';
import * as features from './features.js';
import { seedDemo } from './demo/seed.js';
import { sweepExpired } from '../jobs/maintenance.js';
import { BOARD_NEWS, boardProjection } from '../../projections/board.js';

/** How often overdue jobs (expired holds...) are re-derived from state. */
const JOB_SWEEP_MS = 30_000;

export type Service = Readonly<{
  platform: Platform;
  app: FastifyInstance | null;
  runner: ProjectionRunner | null;
  /** Stops accepting, lets requests in flight finish, stops projections at a batch boundary, closes pools. */
  stop(): Promise<void>;
}>;

export function createRunner(platform: Platform): ProjectionRunner {
  return new ProjectionRunner({
    db: platform.db,
    store: platform.store,
    projections: features.projections,
    logger: platform.logger,
    batchSize: platform.config.projectionBatchSize,
    rebuildBatchSize: platform.config.projectionRebuildBatchSize,
    pollMs: platform.config.projectionPollMs,
    onBatch: (name, n) => {
      platform.metrics.projected.inc({ projection: name }, n);
      // Committed: wake the board's live feeds on every instance.
      if (name === boardProjection.name) void platform.news.publish(BOARD_NEWS, '').catch(() => {});
    },
  });
}

/**
 * Starts the API (and, unless PROJECTIONS=off, the projector in the same
 * process), or the projector alone with `http: false`.
 */
export async function startService(config: Config, logger: Logger, { http }: { http: boolean }): Promise<Service> {
  const started = performance.now();
  const platform = await openPlatform(config, logger);
  await installProjections(platform.db, features.projections);
  const runner = !http || config.projections === 'inline' ? createRunner(platform) : null;
  await runner?.start();
  let app: FastifyInstance | null = null;
  if (http) {
    const jobs = features.jobs(platform);
    await platform.jobs.start(jobs.handlers, [...jobs.sweeps, () => sweepExpired(platform.db)], JOB_SWEEP_MS);
    await platform.admission.start(features.admissionWorker(platform));
    app = await buildApp(platform, features.routes(platform));
    if (config.seedDemo) await seedDemo(app, platform.store, logger);
    await app.listen({ port: config.port, host: config.host });
  }
  logger.info(
    {
      ms: Math.round(performance.now() - started),
      eventStore: platform.store.kind,
      redis: platform.redis ? 'connected' : 'none (single node)',
      projections: runner ? 'in this process' : 'elsewhere',
    },
    http ? 'API ready' : 'projector running',
  );
  return {
    platform,
    app,
    runner,
    async stop() {
      await app?.close();
      await runner?.stop();
      await platform.close();
    },
  };
}
