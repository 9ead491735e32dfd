import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import type { Config } from './config.js';
import { createKysely, createPool } from './db/pool.js';
import type { PlatformDatabase } from './db/schema.js';
import { migrateToLatest } from './db/migrate.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/embedded-postgres.js';
import { bullPrefix, connectRedis, redisOptions } from './infra/redis.js';
import { LocalNews, RedisNews, type News } from './infra/news.js';
import type { EventStore } from './eventstore/port.js';
import { PostgresEventStore } from './eventstore/postgres.js';
import { InstrumentedEventStore } from './eventstore/instrumented.js';
import { createUpcast } from './eventstore/upcast.js';
import { upcasters } from './events/upcasters.js';
import { Metrics } from './metrics.js';
import type { IdempotencyStore } from './idempotency/store.js';
import { PostgresIdempotencyStore } from './idempotency/postgres.js';
import { RedisIdempotencyStore } from './idempotency/redis.js';
import { loadSigningKey } from './auth/keys.js';
import { AccessTokens } from './auth/tokens.js';
import { PostgresRevocationList, RedisRevocationList, type RevocationList } from './auth/revocation.js';
import { CurrentUsers } from './auth/current-user.js';
import { BullMqJobQueue, InProcessJobQueue, type JobQueue } from './jobs/queue.js';
import { BullMqAdmissionQueue, InProcessAdmissionQueue, type AdmissionQueue } from './jobs/admission.js';
import type { PaymentProvider } from './payments/provider.js';
import { SandboxProvider } from './payments/sandbox.js';
import { WeChatPayProvider } from './payments/wechatpay/provider.js';
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';

/**
 * The infrastructure one process needs, opened from the configuration: the
 * read-model database (embedded when no DATABASE_URL is set), the event store,
 * Redis if configured, and the stores built on them. Features receive this.
 */
export type Platform = Readonly<{
  config: Config;
  logger: Logger;
  /** Where every process reads the time. */
  clock: Clock;
  pool: pg.Pool;
  /** The read-model database, for dedicated connections (LISTEN). */
  databaseUrl: string;
  /** This database's identity (migration 0015): what keeps shared Redis channels and caches per database. */
  deploymentId: string;
  db: Kysely<PlatformDatabase>;
  store: EventStore;
  redis: Redis | null;
  /** Announcements between instances: Redis pub/sub, or this process alone. */
  news: News;
  metrics: Metrics;
  idempotency: IdempotencyStore;
  tokens: AccessTokens;
  revocation: RevocationList;
  /** Who is calling, as of this request. */
  users: CurrentUsers;
  jobs: JobQueue;
  /** Holds queued on busy nights (BullMQ with Redis, else in this process). */
  admission: AdmissionQueue;
  payments: PaymentProvider;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}>;

export async function openPlatform(config: Config, logger: Logger): Promise<Platform> {
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, (m) => logger.warn(m));
    databaseUrl = embedded.url;
    logger.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded PostgreSQL started; data lives in this folder');
  }
  const pool = createPool(databaseUrl, config.dbPoolSize);
  const db = createKysely<PlatformDatabase>(pool);
  await migrateToLatest(db);

  const metrics = new Metrics();
  const upcast = createUpcast(upcasters);
  // The gRPC client is loaded only when EventStoreDB is configured, which keeps the default start fast.
  const inner: EventStore = config.eventStoreUrl
    ? await (await import('./eventstore/eventstoredb.js')).EventStoreDBEventStore.connect(config.eventStoreUrl, upcast)
    : new PostgresEventStore(pool, { connectionString: databaseUrl }, upcast);
  const store = new InstrumentedEventStore(inner, metrics);

  const redis = config.redisUrl ? await connectRedis(config.redisUrl, config.redisKeyPrefix) : null;
  if (!redis) logger.info('no REDIS_URL: this node runs alone, with in-process cache, pub/sub, revocation list and jobs');

  // Instances over one database share its news however their URLs name it; deployments sharing one Redis over different databases hear only their own.
  const { id: deploymentId } = await db.selectFrom('deployment').select('id').executeTakeFirstOrThrow();
  const news: News = redis ? new RedisNews(redis, deploymentId) : new LocalNews();
  const idempotency = redis ? new RedisIdempotencyStore(redis) : new PostgresIdempotencyStore(db);
  const key = await loadSigningKey(config.jwtPrivateKey, config.dataDir);
  const tokens = new AccessTokens(key, {
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    accessTtlSeconds: config.accessTokenTtlSeconds,
  });
  const revocation = redis ? new RedisRevocationList(redis) : new PostgresRevocationList(db);
  const users = new CurrentUsers(store, redis === null);
  store.onLocalAppend((streamId) => users.appended(streamId));
  // The sandbox signs its links with a secret derived from the token key, so they survive restarts.
  const payments: PaymentProvider = config.wechatPay
    ? new WeChatPayProvider(config.wechatPay)
    : new SandboxProvider(createHash('sha256').update(`sandbox:${key.privatePem}`).digest());
  logger.info({ provider: payments.name, verification: config.wechatPay?.verification.mode }, 'payment provider');
  const jobs = config.redisUrl
    ? new BullMqJobQueue(redisOptions(config.redisUrl), logger, undefined, bullPrefix(config.redisKeyPrefix))
    : new InProcessJobQueue(logger);
  const observeWait = (seconds: number) => metrics.bookingQueueWait.observe(seconds);
  const admission: AdmissionQueue =
    config.redisUrl && redis
      ? new BullMqAdmissionQueue(
          redisOptions(config.redisUrl),
          redis,
          config.bookingQueueConcurrency,
          observeWait,
          logger,
          undefined,
          bullPrefix(config.redisKeyPrefix),
        )
      : new InProcessAdmissionQueue(config.bookingQueueConcurrency, observeWait, logger);
  metrics.watchBookingQueue(() => admission.depth());

  return {
    config,
    logger,
    clock: systemClock,
    pool,
    databaseUrl,
    deploymentId,
    db,
    store,
    redis,
    news,
    metrics,
    idempotency,
    tokens,
    revocation,
    users,
    jobs,
    admission,
    payments,
    embedded,
    async close() {
      await admission.close();
      await jobs.close();
      await store.close();
      await news.close();
      await redis?.quit().catch(() => redis.disconnect());
      await db.destroy();
      await embedded?.stop();
    },
  };
}
