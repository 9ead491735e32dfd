import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';

t.test('defaults with nothing set', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 3000);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.databaseUrl, undefined);
  t.equal(c.seedDemo, false);
  t.ok(Object.isFrozen(c));
});

t.test('values are converted and checked', async (t) => {
  const c = loadConfig({ PORT: '8080', SEED_DEMO: '1', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://localhost:6379' });
  t.equal(c.port, 8080);
  t.equal(c.seedDemo, true);
  t.equal(c.redisUrl, 'redis://localhost:6379');
});

t.test('the overload guard: on by default, 0 turns it off, nonsense is refused', async (t) => {
  t.equal(loadConfig({}).overloadMaxEventLoopDelayMs, 2000);
  t.equal(loadConfig({}).overloadSampleIntervalMs, 1000);
  t.equal(loadConfig({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' }).overloadMaxEventLoopDelayMs, 0);
  t.equal(loadConfig({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '500', OVERLOAD_SAMPLE_INTERVAL_MS: '250' }).overloadSampleIntervalMs, 250);
  t.throws(() => loadConfig({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '-1' }), /OVERLOAD_MAX_EVENT_LOOP_DELAY_MS/);
  t.throws(() => loadConfig({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 'lots' }), /OVERLOAD_MAX_EVENT_LOOP_DELAY_MS/);
  t.throws(() => loadConfig({ OVERLOAD_SAMPLE_INTERVAL_MS: '1' }), /OVERLOAD_SAMPLE_INTERVAL_MS/);
});

t.test('the Redis key prefix: none by default, letters, digits and separators only', async (t) => {
  t.equal(loadConfig({}).redisKeyPrefix, '');
  t.equal(loadConfig({ REDIS_KEY_PREFIX: 'green:' }).redisKeyPrefix, 'green:');
  t.throws(() => loadConfig({ REDIS_KEY_PREFIX: 'a b' }), /REDIS_KEY_PREFIX/);
  t.throws(() => loadConfig({ REDIS_KEY_PREFIX: 'x'.repeat(65) }), /REDIS_KEY_PREFIX/);
});

t.test('a bad value stops start-up with a message naming the variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), { name: 'ConfigError', message: /PORT/ });
  t.throws(() => loadConfig({ PORT: '70000' }), /PORT/);
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  t.throws(() => loadConfig({ SEED_DEMO: 'yes' }), /SEED_DEMO/);
  const err = (() => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof ConfigError);
  t.match(String((err as Error).message), /PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/, 'every bad variable is named');
});

t.test('WeChat sign-in: off by default; app id, secret and redirect URI together or not at all', async (t) => {
  t.equal(loadConfig({}).wechatLogin, null);
  const c = loadConfig({
    WECHAT_LOGIN_APP_ID: 'wx123',
    WECHAT_LOGIN_APP_SECRET: 'secret',
    WECHAT_LOGIN_REDIRECT_URI: 'https://ktv.example.com/auth/wechat/callback',
    WECHAT_LOGIN_API_URL: 'http://127.0.0.1:9999/',
  });
  t.match(c.wechatLogin, { appId: 'wx123', scope: 'snsapi_login', apiUrl: 'http://127.0.0.1:9999' });
  t.throws(() => loadConfig({ WECHAT_LOGIN_APP_ID: 'wx123' }), {
    name: 'ConfigError',
    message: /WECHAT_LOGIN_APP_SECRET, WECHAT_LOGIN_REDIRECT_URI/,
  });
  t.throws(() => loadConfig({ WECHAT_LOGIN_SCOPE: 'snsapi_everything' }), /WECHAT_LOGIN_SCOPE/);
  t.equal(loadConfig({ PASSWORD_RESET_TTL_MINUTES: '60' }).passwordResetTtlMinutes, 60);
});
