import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import path from 'node:path';
import { wechatPayConfigFromEnv, WeChatPayConfigError, type WeChatPayConfig } from './payments/wechatpay/config.js';

/**
 * Every setting the service reads from its environment. This module is the only
 * place that looks at `process.env`; everything else receives the frozen result.
 */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  // Put before every Redis key and BullMQ queue, so deployments (or parallel test runs) can share one Redis.
  REDIS_KEY_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_.:-]{0,64}$', default: '' }),
  EVENTSTORE_URL: Type.Optional(Type.String({ pattern: '^(esdb|kurrentdb)(\\+discover)?://' })),
  SEED_DEMO: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '0' }),
  DATA_DIR: Type.String({ minLength: 1, default: 'data' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  // auto: readable lines when standard output is a terminal (development), JSON otherwise.
  LOG_FORMAT: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], { default: 'auto' }),
  PROJECTIONS: Type.Union([Type.Literal('inline'), Type.Literal('off')], { default: 'inline' }),
  PROJECTION_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 }),
  PROJECTION_REBUILD_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 100_000, default: 5000 }),
  PROJECTION_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
  BOARD_RESYNC_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5000 }),
  WEB_DIR: Type.String({ minLength: 1, maxLength: 1000, default: 'dist/web' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 1_048_576 }),
  BODY_MAX_DEPTH: Type.Integer({ minimum: 4, maximum: 256, default: 32 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  DB_POOL_SIZE: Type.Integer({ minimum: 2, maximum: 200, default: 20 }),
  // The overload guard (@fastify/under-pressure); 0 turns the check off.
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 2000 }),
  OVERLOAD_SAMPLE_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
  JWT_PRIVATE_KEY: Type.Optional(Type.String({ pattern: 'BEGIN PRIVATE KEY' })),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'ktv-backend' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'ktv-api' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 86_400, default: 600 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 31_536_000, default: 2_592_000 }),
  SESSION_POLICY: Type.String({
    pattern: '^(\\s*[a-z]+=[1-9][0-9]*\\s*)(,\\s*[a-z]+=[1-9][0-9]*\\s*)*$',
    default: 'guest=5,waiter=1,manager=3,accountant=3,admin=3',
  }),
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 100_000, default: 30 }),
  REGISTRATIONS_PER_IP_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 100_000, default: 10 }),
  // Failed sign-ins: free failures per account from one address, and per account from all addresses,
  // then growing delays (see src/auth/login-failures.ts). A failure is forgotten the window after it.
  LOGIN_FAILURES_PER_ACCOUNT_AND_IP: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
  LOGIN_FAILURES_PER_ACCOUNT: Type.Integer({ minimum: 1, maximum: 100_000, default: 50 }),
  LOGIN_FAILURE_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
  LOGIN_DELAY_FIRST_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 1 }),
  LOGIN_DELAY_MAX_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
  LOGIN_ACCOUNT_DELAY_MAX_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }),
  REFRESHES_PER_IP_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 100_000, default: 60 }),
  // How long a password reset token an admin hands over stays usable.
  PASSWORD_RESET_TTL_MINUTES: Type.Integer({ minimum: 5, maximum: 10_080, default: 1440 }),
  COMMANDS_PER_CALLER_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 120 }),
  // Busy nights: holds go through the admission queue when this many are already in progress on
  // this instance, and for this many minutes after a business date's release (0 turns either off).
  BOOKING_QUEUE_SATURATION: Type.Integer({ minimum: 0, maximum: 100_000, default: 64 }),
  BOOKING_QUEUE_RELEASE_MINUTES: Type.Integer({ minimum: 0, maximum: 1440, default: 5 }),
  // Queued holds decided at once by one instance.
  BOOKING_QUEUE_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
  OIDC_PROVIDERS: Type.String({ default: '[]' }),
  // Sign in with WeChat (web authorization, OAuth 2.0): app id, secret and redirect URI together, or none.
  WECHAT_LOGIN_APP_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  WECHAT_LOGIN_APP_SECRET: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  WECHAT_LOGIN_REDIRECT_URI: Type.Optional(Type.String({ pattern: '^https?://' })),
  // snsapi_login: the QR code page of a website app; snsapi_userinfo: inside WeChat's own browser.
  WECHAT_LOGIN_SCOPE: Type.Union([Type.Literal('snsapi_login'), Type.Literal('snsapi_userinfo')], { default: 'snsapi_login' }),
  WECHAT_LOGIN_AUTHORIZE_URL: Type.String({ pattern: '^https?://', default: 'https://open.weixin.qq.com/connect/qrconnect' }),
  WECHAT_LOGIN_API_URL: Type.String({ pattern: '^https?://', default: 'https://api.weixin.qq.com' }),
  // Smart features: analytics rows older than this are deleted; recommendation lists are cached this long.
  ANALYTICS_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 180 }),
  RECOMMENDATIONS_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 86_400, default: 7200 }),
  PUBLIC_URL: Type.Optional(
    Type.String({ pattern: '^https?://[^/]+$', description: 'How payment providers reach us, without a trailing slash' }),
  ),
  // WeChat Pay: all unset runs the sandbox; checked as a whole by src/payments/wechatpay/config.ts.
  WECHATPAY_MCH_ID: Type.Optional(Type.String()),
  WECHATPAY_APP_ID: Type.Optional(Type.String()),
  WECHATPAY_PRIVATE_KEY: Type.Optional(Type.String()),
  WECHATPAY_CERT_SERIAL: Type.Optional(Type.String()),
  WECHATPAY_APIV3_KEY: Type.Optional(Type.String()),
  WECHATPAY_PUBLIC_KEY: Type.Optional(Type.String()),
  WECHATPAY_PUBLIC_KEY_ID: Type.Optional(Type.String()),
  WECHATPAY_BASE_URL: Type.Optional(Type.String()),
});

const OidcProviderSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    issuer: Type.String({ pattern: '^https?://' }),
    clientId: Type.String({ minLength: 1 }),
    clientSecret: Type.String({ minLength: 1 }),
    redirectUri: Type.String({ pattern: '^https?://' }),
  },
  { additionalProperties: false },
);
export type OidcProviderConfig = Static<typeof OidcProviderSchema>;
const OidcProvidersSchema = Type.Array(OidcProviderSchema);

type Env = Static<typeof EnvSchema>;

export type WeChatLoginConfig = Readonly<{
  appId: string;
  appSecret: string;
  redirectUri: string;
  scope: 'snsapi_login' | 'snsapi_userinfo';
  /** Where the browser is sent to authorize (the QR code page, or `/connect/oauth2/authorize` inside WeChat). */
  authorizeUrl: string;
  /** Where `sns/oauth2/access_token` and `sns/userinfo` are called, without a trailing slash. */
  apiUrl: string;
}>;

function wechatLoginFromEnv(e: Env): WeChatLoginConfig | null {
  const parts = {
    WECHAT_LOGIN_APP_ID: e.WECHAT_LOGIN_APP_ID,
    WECHAT_LOGIN_APP_SECRET: e.WECHAT_LOGIN_APP_SECRET,
    WECHAT_LOGIN_REDIRECT_URI: e.WECHAT_LOGIN_REDIRECT_URI,
  };
  const missing = Object.entries(parts)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length === 3) return null;
  if (missing.length > 0)
    throw new ConfigError(`invalid configuration:\n  ${missing.join(', ')}: set with the other WECHAT_LOGIN_* values, or unset them all`);
  return Object.freeze({
    appId: e.WECHAT_LOGIN_APP_ID!,
    appSecret: e.WECHAT_LOGIN_APP_SECRET!,
    redirectUri: e.WECHAT_LOGIN_REDIRECT_URI!,
    scope: e.WECHAT_LOGIN_SCOPE,
    authorizeUrl: e.WECHAT_LOGIN_AUTHORIZE_URL,
    apiUrl: e.WECHAT_LOGIN_API_URL.replace(/\/+$/, ''),
  });
}

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Before every key this deployment writes to Redis (BullMQ's queues included); empty by default. */
  redisKeyPrefix: string;
  eventStoreUrl: string | undefined;
  seedDemo: boolean;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  logFormat: Env['LOG_FORMAT'];
  projections: Env['PROJECTIONS'];
  projectionBatchSize: number;
  /** Events per transaction while a build catches up from zero, where throughput matters more than latency. */
  projectionRebuildBatchSize: number;
  projectionPollMs: number;
  /** How often each instance reads the board's change log without being told (a pub/sub message may be lost). */
  boardResyncMs: number;
  /** Where `npm run build:web` put the web pages (relative to the working directory). */
  webDir: string;
  bodyLimitBytes: number;
  /** How deep a JSON body may nest (objects and arrays); deeper is `422` before anything walks it. */
  bodyMaxDepth: number;
  shutdownTimeoutMs: number;
  dbPoolSize: number;
  /**
   * Requests from the network get `503 overloaded` while the event loop's mean
   * delay over the last sample exceeds this; 0 never refuses.
   */
  overloadMaxEventLoopDelayMs: number;
  /** How often the overload guard measures the event loop delay, and so the window it averages over. */
  overloadSampleIntervalMs: number;
  jwtPrivateKey: string | undefined;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Most concurrent sessions per role; a sign-in beyond it ends the oldest. */
  sessionPolicy: Readonly<Record<string, number>>;
  loginAttemptsPerIpPerMinute: number;
  registrationsPerIpPerMinute: number;
  /** Failed sign-ins for one account from one address before each further attempt from there waits. */
  loginFailuresPerAccountAndIp: number;
  /** Failed sign-ins for one account from all addresses before each further attempt waits (briefly). */
  loginFailuresPerAccount: number;
  /** A failure is forgotten this long after it (after the wait it caused, if any). */
  loginFailureWindowSeconds: number;
  /** The first wait past a threshold; each further failure doubles it. */
  loginDelayFirstSeconds: number;
  /** The longest wait for an account from one address. */
  loginDelayMaxSeconds: number;
  /** The longest wait for an account from everywhere: it slows a spread-out attack, never locks the owner out for long. */
  loginAccountDelayMaxSeconds: number;
  refreshesPerIpPerMinute: number;
  /** How long a one-time password reset token stays usable. */
  passwordResetTtlMinutes: number;
  /** State-changing requests per signed-in user, or per address for anonymous callers, per minute. */
  commandsPerCallerPerMinute: number;
  /** Holds in progress on this instance from which new ones are queued (0: never for this reason). */
  bookingQueueSaturation: number;
  /** Minutes after a release during which holds on its date are queued (0: never for this reason). */
  bookingQueueReleaseMinutes: number;
  bookingQueueConcurrency: number;
  /** Analytics rows (searches, impressions, clicks, exposures, conversions) are kept this many days. */
  analyticsRetentionDays: number;
  /** How long a guest's recommendation list is served from the cache (Redis, else the process). */
  recommendationsCacheSeconds: number;
  oidcProviders: readonly OidcProviderConfig[];
  /** Sign in with WeChat; null: not offered. */
  wechatLogin: WeChatLoginConfig | null;
  /** The service's address as the outside sees it, for provider callbacks. */
  publicUrl: string;
  /** WeChat Pay settings; null runs the sandbox provider. */
  wechatPay: WeChatPayConfig | null;
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
  let oidc: unknown;
  try {
    oidc = JSON.parse(e.OIDC_PROVIDERS);
  } catch {
    throw new ConfigError('invalid configuration:\n  OIDC_PROVIDERS: must be a JSON array');
  }
  if (!Value.Check(OidcProvidersSchema, oidc)) {
    const first = [...Value.Errors(OidcProvidersSchema, oidc)][0];
    throw new ConfigError(`invalid configuration:\n  OIDC_PROVIDERS${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
  }
  let wechatPay: WeChatPayConfig | null;
  try {
    wechatPay = wechatPayConfigFromEnv(e);
  } catch (err) {
    if (err instanceof WeChatPayConfigError) throw new ConfigError(`invalid configuration:\n  ${err.problems.join('\n  ')}`);
    throw err;
  }
  if (wechatPay && !e.PUBLIC_URL?.startsWith('https://')) {
    throw new ConfigError(
      'invalid configuration:\n  PUBLIC_URL: WeChat Pay only calls back to an https:// address; set it when WECHATPAY_* is configured',
    );
  }
  const sessionPolicy = Object.fromEntries(
    e.SESSION_POLICY.split(',').map((pair): [string, number] => {
      const [role = '', n] = pair.trim().split('=');
      return [role, Number(n)];
    }),
  );
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    eventStoreUrl: e.EVENTSTORE_URL,
    seedDemo: e.SEED_DEMO === '1',
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    projections: e.PROJECTIONS,
    projectionBatchSize: e.PROJECTION_BATCH_SIZE,
    projectionRebuildBatchSize: e.PROJECTION_REBUILD_BATCH_SIZE,
    projectionPollMs: e.PROJECTION_POLL_MS,
    boardResyncMs: e.BOARD_RESYNC_MS,
    webDir: e.WEB_DIR,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    bodyMaxDepth: e.BODY_MAX_DEPTH,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    dbPoolSize: e.DB_POOL_SIZE,
    overloadMaxEventLoopDelayMs: e.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
    overloadSampleIntervalMs: e.OVERLOAD_SAMPLE_INTERVAL_MS,
    jwtPrivateKey: e.JWT_PRIVATE_KEY,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    sessionPolicy: Object.freeze(sessionPolicy),
    loginAttemptsPerIpPerMinute: e.LOGIN_ATTEMPTS_PER_IP_PER_MINUTE,
    registrationsPerIpPerMinute: e.REGISTRATIONS_PER_IP_PER_MINUTE,
    loginFailuresPerAccountAndIp: e.LOGIN_FAILURES_PER_ACCOUNT_AND_IP,
    loginFailuresPerAccount: e.LOGIN_FAILURES_PER_ACCOUNT,
    loginFailureWindowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
    loginDelayFirstSeconds: e.LOGIN_DELAY_FIRST_SECONDS,
    loginDelayMaxSeconds: e.LOGIN_DELAY_MAX_SECONDS,
    loginAccountDelayMaxSeconds: e.LOGIN_ACCOUNT_DELAY_MAX_SECONDS,
    refreshesPerIpPerMinute: e.REFRESHES_PER_IP_PER_MINUTE,
    passwordResetTtlMinutes: e.PASSWORD_RESET_TTL_MINUTES,
    commandsPerCallerPerMinute: e.COMMANDS_PER_CALLER_PER_MINUTE,
    bookingQueueSaturation: e.BOOKING_QUEUE_SATURATION,
    bookingQueueReleaseMinutes: e.BOOKING_QUEUE_RELEASE_MINUTES,
    bookingQueueConcurrency: e.BOOKING_QUEUE_CONCURRENCY,
    analyticsRetentionDays: e.ANALYTICS_RETENTION_DAYS,
    recommendationsCacheSeconds: e.RECOMMENDATIONS_CACHE_SECONDS,
    oidcProviders: Object.freeze(oidc),
    wechatLogin: wechatLoginFromEnv(e),
    publicUrl: e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`,
    wechatPay,
  });
}
