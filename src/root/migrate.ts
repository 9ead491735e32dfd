import { loadConfig, ConfigError } from '../config.js';
import { createLogger } from '../logger.js';
import { createKysely, createPool } from '../db/pool.js';
import { migrateToLatest } from '../db/migrate.js';
import type { PlatformDatabase } from '../db/schema.js';

/**
 * Brings DATABASE_URL's schema to the latest and exits: the Kubernetes migration Job (k8s/base/shared),
 * run before a slot starts on a new version. Every process also migrates at start; this shows a
 * failed migration as a failed Job instead of pods that never become ready.
 */
async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config);
  if (!config.databaseUrl) {
    logger.error('DATABASE_URL is not set: nothing to migrate');
    return 2;
  }
  const pool = createPool(config.databaseUrl, 2);
  try {
    await migrateToLatest(createKysely<PlatformDatabase>(pool));
    logger.info('database schema is up to date');
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`migration failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
