import { loadConfig, ConfigError } from '../config.js';
import { createLogger } from '../logger.js';
import { startTracing, tracingWanted } from '../tracing.js';

/**
 * `npm start` (API, projector inside unless PROJECTIONS=off) and
 * `npm run projector` (`--projector`: the projector alone).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // The instrumentations patch HTTP, Fastify, pg and ioredis as they load: start tracing before the service's modules.
  const tracing = tracingWanted(process.env) ? await startTracing() : null;
  const { startService } = await import('./service.js');
  const logger = createLogger(config);
  if (tracing) logger.info('tracing on: spans exported as the OTEL_* variables say');
  const service = await startService(config, logger, { http: !process.argv.includes('--projector') });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    service
      .stop()
      // Spans still buffered are sent before the process ends.
      .then(() => tracing?.shutdown())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
