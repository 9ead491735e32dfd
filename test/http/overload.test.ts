import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { until } from '../helpers/until.js';

/**
 * The overload guard, turned on with a hair trigger (1 ms of mean event-loop
 * delay, measured every 10 ms) so that the test can trip it at will.
 *
 * The guard's verdict only changes in its own sampling timer. `until` checks it
 * right after a timer of ours fired, and `app.inject` reaches the guard's
 * onRequest hook through process.nextTick and promise jobs only, which all run
 * before the next timer: the request meets exactly the verdict that was checked.
 */
const { app } = await startTestService(t, { env: { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '1', OVERLOAD_SAMPLE_INTERVAL_MS: '10' } });

const block = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** Lags the event loop until `seen` says the lag was measured; true once it does. */
const lagUntil = (seen: () => boolean) =>
  until(
    () => {
      if (seen()) return true;
      block(50);
      return false;
    },
    { intervalMs: 1 },
  );
const tripped = () => lagUntil(() => app.isUnderPressure());

t.test('before the server listens, in-process requests (the demo seed) are never refused', async (t) => {
  t.notOk(app.server.listening);
  t.ok(await tripped(), 'the guard reports pressure');
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
});

t.test('once it listens, requests are refused with 503 overloaded while the event loop lags', async (t) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.ok(app.server.listening);
  t.ok(await tripped(), 'the guard reports pressure');
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'overloaded');
});

t.test('with the threshold at 0 (as every other test runs) a lag is measured but nothing is refused', async (t) => {
  const off = await startTestService(t, { env: { OVERLOAD_SAMPLE_INTERVAL_MS: '10' } });
  await off.app.listen({ port: 0, host: '127.0.0.1' });
  t.ok(await lagUntil(() => off.app.memoryUsage().eventLoopDelay > 1), 'the lag was measured');
  t.notOk(off.app.isUnderPressure());
  t.equal((await off.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});
