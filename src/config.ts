import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import path from 'node:path';

/**
 * Every setting the service reads from its environment. This module is the only
 * place that looks at `process.env`; everything else receives the frozen result.
 */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  EVENTSTORE_URL: Type.Optional(Type.String({ pattern: '^(esdb|kurrentdb)(\\+discover)?://' })),
  SEED_DEMO: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '0' }),
  DATA_DIR: Type.String({ minLength: 1, default: 'data' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  PROJECTIONS: Type.Union([Type.Literal('inline'), Type.Literal('off')], { default: 'inline' }),
  PROJECTION_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 }),
  PROJECTION_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 1_048_576 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  DB_POOL_SIZE: Type.Integer({ minimum: 2, maximum: 200, default: 20 }),
});

type Env = Static<typeof EnvSchema>;

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  eventStoreUrl: string | undefined;
  seedDemo: boolean;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  projections: Env['PROJECTIONS'];
  projectionBatchSize: number;
  projectionPollMs: number;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  dbPoolSize: number;
}>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const known = Object.keys(EnvSchema.properties);

/** Reads, converts and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv, overrides: Partial<Record<keyof Env, string>> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const value = overrides[key as keyof Env] ?? env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw));
  const problems = [...Value.Errors(EnvSchema, converted)].map(
    (e) => `${e.path.slice(1) || 'environment'}: ${e.message} (got ${JSON.stringify(raw[e.path.slice(1)])})`,
  );
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
  const e = converted as Env;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    eventStoreUrl: e.EVENTSTORE_URL,
    seedDemo: e.SEED_DEMO === '1',
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    projections: e.PROJECTIONS,
    projectionBatchSize: e.PROJECTION_BATCH_SIZE,
    projectionPollMs: e.PROJECTION_POLL_MS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    dbPoolSize: e.DB_POOL_SIZE,
  });
}
