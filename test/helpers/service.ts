import type { Test } from 'tap';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openPlatform, type Platform } from '../../src/platform.js';
import { buildApp } from '../../src/app.js';
import { createRunner } from '../../src/root/service.js';
import { installProjections } from '../../src/projections/registry.js';
import * as features from '../../src/root/features.js';
import type { ProjectionRunner } from '../../src/projections/runner.js';
import type { FastifyInstance } from 'fastify';
import { testDatabase } from './database.js';
import { generateKeyPairSync } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { contractOf, type OpenApiDocument } from './contract.js';

const TEST_KEY = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

export type TestService = { app: FastifyInstance; platform: Platform; runner: ProjectionRunner; databaseUrl: string };

/**
 * The whole API on a database of the test's own, over real PostgreSQL (and the
 * Redis in REDIS_URL when `redis` is asked for). Projections are caught up
 * explicitly with `runner.catchUp()` so tests read their own writes. Every
 * instance in a test process signs with the same key, as instances of one
 * deployment do.
 */
export async function startTestService(
  t: Test,
  options: { redis?: boolean; env?: Record<string, string>; databaseUrl?: string } = {},
): Promise<TestService> {
  // A second instance over another's database (`databaseUrl`) plays a restart or a second process.
  const databaseUrl = options.databaseUrl ?? (await testDatabase(t));
  const base = loadConfig(process.env);
  const config = loadConfig(
    {},
    {
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
      JWT_PRIVATE_KEY: TEST_KEY,
      // Tests sign in often from one address.
      LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
      REGISTRATIONS_PER_IP_PER_MINUTE: '100000',
      REFRESHES_PER_IP_PER_MINUTE: '100000',
      COMMANDS_PER_CALLER_PER_MINUTE: '1000000',
      // Off: tests share busy machines (two files at a time, other jobs besides), where the event loop
      // lags for reasons that have nothing to do with the behaviour under test. test/http/overload.test.ts
      // turns it on where the guard itself is what is tested.
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...(options.redis && base.redisUrl ? { REDIS_URL: base.redisUrl } : {}),
      ...options.env,
    },
  );
  const platform = await openPlatform(config, createLogger(config));
  await installProjections(platform.db, features.projections);
  const app = await buildApp(platform, features.routes(platform));
  await app.ready();
  holdToContract(t, app);
  const runner = createRunner(platform);
  t.teardown(async () => {
    await app.close();
    await platform.close();
  });
  return { app, platform, runner, databaseUrl };
}

/**
 * Every answer a test gets through `app.inject` is checked against the OpenAPI document the
 * service serves (status, media type, body schema), so the whole suite keeps the document true;
 * what does not match fails the test that saw it.
 */
function holdToContract(t: Test, app: FastifyInstance) {
  const check = contractOf(app.swagger() as unknown as OpenApiDocument);
  const broken: string[] = [];
  const inject = app.inject.bind(app);
  const checked = async (options: InjectOptions | string) => {
    const res = await inject(options);
    const { method = 'GET', url = '/' } = typeof options === 'string' ? { url: options } : options;
    const path = typeof url === 'string' ? url : (url.pathname ?? '/');
    const contentType = res.headers['content-type'];
    broken.push(
      ...check({
        method,
        url: path,
        status: res.statusCode,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        body: res.body,
      }),
    );
    return res;
  };
  app.inject = checked as typeof app.inject;
  t.teardown(() => {
    if (broken.length > 0) throw new Error(`answers that differ from the OpenAPI document:\n${[...new Set(broken)].join('\n')}`);
  });
}
