import t from 'tap';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { testDatabase } from '../helpers/database.js';
import { overlapsInLog } from '../helpers/invariants.js';
import { readModelSnapshot } from '../helpers/read-models.js';
import { openEvents } from '../helpers/sse.js';
import { until } from '../helpers/until.js';
import { freePort, startProjector, startServer, type Server } from './process.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openPlatform } from '../../src/platform.js';
import { bullPrefix, redisOptions } from '../../src/infra/redis.js';
import { createRunner } from '../../src/root/service.js';
import * as features from '../../src/root/features.js';
import { listGenerations } from '../../src/projections/registry.js';
import { projectionLag } from '../../src/projections/lag.js';
import { HOLD_EXPIRY } from '../../commands/bookings/expiry.js';
import { PAYMENT_TIMEOUT } from '../../commands/payments/process.js';
import { addDays } from '../../domain/venue/time.js';
import { businessDateOf, businessDayBounds, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { addMinutes } from '../../src/clock.js';
import { dayEndFarFromNow } from '../helpers/venue.js';
import { demoVenue } from '../../src/root/demo/rate-card.js';

/**
 * The cluster mode as deployed: two API processes with PROJECTIONS=off and two
 * projector processes, on one PostgreSQL database and one Redis (under a key
 * prefix of this test's own, so parallel runs do not meet). Everything goes
 * through real sockets; the test process only reads the database and Redis to
 * check what happened.
 */
const redisUrl = loadConfig(process.env).redisUrl;
if (!redisUrl) {
  t.plan(0, 'REDIS_URL not set: the cluster mode needs a Redis');
  process.exit(0);
}
const began = performance.now();
const databaseUrl = await testDatabase(t);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ktv-cluster-'));
t.teardown(() => rm(dataDir, { recursive: true, force: true }));
const prefix = `ktv-test-${randomBytes(4).toString('hex')}:`;
const plainRedis = new Redis(redisUrl);
t.teardown(async () => {
  // Everything this test's deployment left in the shared Redis.
  for (let cursor = '0'; ;) {
    const [next, keys] = await plainRedis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await plainRedis.del(...keys);
    if ((cursor = next) === '0') break;
  }
  plainRedis.disconnect();
});

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: prefix,
  // Every instance of a deployment signs with the same key.
  JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  DATA_DIR: dataDir,
  PROJECTIONS: 'off',
  SEED_DEMO: '0',
  // Only the pub/sub message can wake another instance's board feed.
  BOARD_RESYNC_MS: '3600000',
  // One guest makes the load; a low refresh limit is the shared limit under test.
  SESSION_POLICY: 'guest=1000,waiter=1000,manager=1000,accountant=1000,admin=1000',
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
  REGISTRATIONS_PER_IP_PER_MINUTE: '100000',
  REFRESHES_PER_IP_PER_MINUTE: '3',
  COMMANDS_PER_CALLER_PER_MINUTE: '1000000',
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
};
delete env.EVENTSTORE_URL;

const [portA, portB] = [await freePort(), await freePort()];
const starting = await Promise.allSettled([
  startServer({ ...env, PORT: String(portA), SEED_DEMO: '1' }),
  startServer({ ...env, PORT: String(portB) }),
  startProjector(env),
  startProjector(env),
]);
for (const [i, started] of starting.entries()) {
  if (started.status === 'rejected') continue;
  const s = started.value;
  t.teardown(() => {
    s.child.kill('SIGKILL');
    // What each process said, when something went wrong.
    if (!t.passing())
      t.comment(`${['API A', 'API B', 'projector 1', 'projector 2'][i]}:\n${s.logs.join('').split('\n').slice(-40).join('\n')}`);
  });
}
// The ones that did start are stopped by their teardown (and on any exit, however abrupt); a start
// that failed stopped its own process.
process.on('exit', () => {
  for (const s of starting) if (s.status === 'fulfilled') s.value.child.kill('SIGKILL');
});
for (const s of starting) if (s.status === 'rejected') throw s.reason;
const [a, b, p1, p2] = starting.map((s) => (s as PromiseFulfilledResult<Server>).value) as [Server, Server, Server, Server];
const startupMs = Math.round(performance.now() - began);

// The test's own view of the database, for checks only: no Redis, no jobs, no projections of its own.
const config = loadConfig({}, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', DATA_DIR: dataDir, PROJECTIONS: 'off' });
const platform = await openPlatform(config, createLogger(config));
t.teardown(() => platform.close());
const jobQueue = new Queue('ktv-jobs', { connection: redisOptions(redisUrl), prefix: bullPrefix(prefix) });
t.teardown(() => jobQueue.close());

type Answer = { status: number; body: any; headers: Headers };
async function call(
  base: string,
  method: string,
  url: string,
  o: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...o.headers,
    },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any, headers: res.headers } satisfies Answer;
}
const signIn = async (base: string, email: string) =>
  (await call(base, 'POST', '/auth/login', { body: { email, password: 'demo-password-1' } })).body.accessToken as string;

// The seed ran on A; B sees it once the projectors have applied it.
let rooms: { id: string; capacity: number }[] = [];
await until(async () => (rooms = (await call(b.url, 'GET', '/rooms')).body ?? []).length >= 14, { timeoutMs: 60_000, intervalMs: 100 });
const guest = await signIn(b.url, 'guest@demo.ktv');
const waiter = await signIn(a.url, 'waiter@demo.ktv');
const manager = await signIn(a.url, 'manager@demo.ktv');
// Holds run out after a minute (the least there is), so the expiry job below runs during the test. The
// business day ends far from now, for the walk-ins.
const dayEnd = dayEndFarFromNow();
const venue = await call(b.url, 'PUT', '/venue', {
  token: manager,
  body: { ...demoVenue, maxActiveHolds: 10_000, holdMinutes: 1, ...dayEnd },
});
// Top-level assertions would let tap end the file here; the subtests check what the set-up did.
if (venue.status !== 200) throw new Error(`PUT /venue answered ${venue.status}`);
// Commands on other instances may use the settings they read up to a second ago (commands/venue/current.ts).
await sleep(1100);

const settings = { ...DEFAULT_VENUE, ...dayEnd };
const today = businessDateOf(new Date(), settings);
/** `hour` o'clock of the demo's business day (from 06:00) `days` ahead, moved with the venue's own day start. */
const at = (days: number, hour: number) =>
  addMinutes(businessDayBounds(addDays(today, days), settings).start, (hour - 6) * 60).toISOString();
const hold = (base: string, roomId: string, start: string, headers?: Record<string, string>) =>
  call(base, 'POST', '/bookings', {
    token: guest,
    body: { roomId, start, durationMinutes: 60, partySize: 2 },
    ...(headers ? { headers } : {}),
  });
/** The BullMQ events of one job, as the queue recorded them (whichever worker ran it). */
async function jobEvents(jobId: string): Promise<string[]> {
  const entries = await plainRedis.xrange(`${bullPrefix(prefix)}:ktv-jobs:events`, '-', '+');
  return entries.flatMap(([, fields]) => {
    const f = Object.fromEntries(fields.flatMap((v, i) => (i % 2 === 0 ? [[v, fields[i + 1]]] : [])));
    return f.jobId === jobId ? [f.event as string] : [];
  });
}
const eventsOf = async (streamId: string) => (await platform.store.readStream(streamId)).events.map((e) => e.type);

// Made first, so that its minute runs out while the other parts run.
const expiring = await hold(b.url, rooms[0]!.id, at(4, 14));

t.test('set-up: the venue changed on B governs the hold made on B at once', async (t) => {
  t.equal(expiring.status, 201, 'a hold on B, the instance that changed the venue');
  t.ok(Date.parse(expiring.body.holdExpiresAt) - Date.now() <= 60_000, 'that runs out within a minute');
});

t.test('an availability answer cached on both instances goes stale on both when a hold lands', async (t) => {
  // Answers stay fresh for 10 s after they are computed: a change seen sooner was announced, not timed out.
  // A projector too slow to apply the hold within most of that window proves nothing either way: try another day.
  for (const day of [3, 8, 9]) {
    const query = `/availability?start=${encodeURIComponent(at(day, 14))}&durationMinutes=60&partySize=2`;
    const free = async (base: string) => ((await call(base, 'GET', query)).body as { roomId: string }[]).map((o) => o.roomId);
    const filled = performance.now();
    const before = [await free(a.url), await free(b.url)];
    const room = before[0]![0]!;
    t.ok(
      before.every((list) => list.includes(room)),
      'both answered (and cached) with the room free',
    );
    const held = await hold(a.url, room, at(day, 14));
    if (!t.equal(held.status, 201, 'held on A')) return;
    await until(async () => (await call(b.url, 'GET', `/bookings/${held.body.id}`, { token: guest })).status === 200, {
      timeoutMs: 30_000,
    });
    if (performance.now() - filled > 7000 && day !== 9) {
      t.comment(`the projector took ${Math.round(performance.now() - filled)} ms: again on another day`);
      continue;
    }
    const gone = await until(async () => !(await free(a.url)).includes(room) && !(await free(b.url)).includes(room), {
      timeoutMs: Math.max(0, 10_000 - (performance.now() - filled)),
    });
    t.ok(gone, 'neither instance offers the room any more');
    t.ok(performance.now() - filled < 10_000, `within ${Math.round(performance.now() - filled)} ms of caching, before the answers expire`);
    return;
  }
});

t.test('a room taken out of service on A is refused by holds and walk-ins on B from then on', async (t) => {
  const room = rooms[4]!.id;
  t.equal((await hold(b.url, room, at(3, 18))).status, 201, 'B holds the room (and knows it as in service)');
  t.equal(
    (await call(a.url, 'POST', `/rooms/${room}/out-of-service`, { token: waiter, body: { reason: 'screen broken' } })).status,
    200,
    'taken out of service on A',
  );
  const refused = await hold(b.url, room, at(3, 20));
  t.equal(refused.status, 409, 'the next hold on B is refused');
  t.equal(refused.body?.code, 'room_out_of_service', 'because the room is out of service');
  const walkIn = await call(b.url, 'POST', '/walk-ins', { token: waiter, body: { roomId: room, partySize: 2, durationMinutes: 60 } });
  t.equal(walkIn.body?.code, 'room_out_of_service', 'and so is a walk-in');
  t.equal((await call(a.url, 'POST', `/rooms/${room}/return-to-service`, { token: waiter })).status, 200, 'back in service');
});

t.test('a logout on one instance ends the token on the other at once', async (t) => {
  const token = await signIn(a.url, 'guest@demo.ktv');
  t.equal((await call(b.url, 'GET', '/me', { token })).status, 200, 'B accepts the token');
  t.equal((await call(a.url, 'POST', '/auth/logout', { token })).status, 204, 'signed out on A');
  const after = await call(b.url, 'GET', '/me', { token });
  t.equal(after.status, 401, 'B refuses it on the very next request');
});

t.test('a command retried with its key on the other instance replays the first answer', async (t) => {
  const key = randomUUID();
  const start = at(3, 16);
  const first = await hold(a.url, rooms[1]!.id, start, { 'idempotency-key': key });
  const again = await hold(b.url, rooms[1]!.id, start, { 'idempotency-key': key });
  t.equal(first.status, 201, 'held on A');
  t.equal(again.status, 201, 'B answers with the same status');
  t.same(again.body, first.body, 'the same body');
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM events
    WHERE event_type = 'BookingHeld' AND data->>'roomId' = ${rooms[1]!.id} AND data->>'start' = ${first.body.start ?? start}`.execute(
    platform.db,
  );
  t.same(rows[0]?.n, 1, 'one hold in the log');
});

t.test('a rate limit counts requests to every instance together', async (t) => {
  // Three refreshes a minute per address: A, B, A use them up; B and A then both refuse.
  const refresh = (base: string) => call(base, 'POST', '/auth/refresh', { body: { refreshToken: 'not-a-token' } });
  const statuses = [];
  for (const base of [a.url, b.url, a.url, b.url, a.url]) statuses.push((await refresh(base)).status);
  t.same(
    statuses.map((s) => s === 429),
    [false, false, false, true, true],
    `the fourth is refused wherever it lands (${statuses.join(', ')})`,
  );
});

t.test("a change decided on A reaches B's board feed through the projector and Redis", async (t) => {
  const feed = await openEvents(`${b.url}/board/events`, { authorization: `Bearer ${waiter}` });
  t.teardown(() => feed.close());
  t.equal(feed.status, 200, 'feed open on B');
  t.ok(await until(() => feed.events.length >= 14, { timeoutMs: 30_000 }), 'the first snapshot: every room');
  const room = rooms.find((r) => r.capacity >= 2 && r.id !== rooms[0]!.id && r.id !== rooms[1]!.id)!;
  const walkIn = await call(a.url, 'POST', '/walk-ins', { token: waiter, body: { roomId: room.id, partySize: 2, durationMinutes: 60 } });
  t.equal(walkIn.status, 201, 'walk-in on A');
  const occupied = () =>
    feed.events.slice(14).some((e) => {
      const r = JSON.parse(e.data) as { roomId: string; state: string };
      return r.roomId === room.id && r.state === 'occupied';
    });
  t.ok(await until(occupied, { timeoutMs: 30_000 }), 'B pushed the room as occupied');
});

t.test('each delayed job runs once, on one of the two workers', async (t) => {
  // The payment timeout is due in 15 minutes: the test moves its delayed job forward.
  const booking = await hold(b.url, rooms[2]!.id, at(4, 16));
  const payment = await call(b.url, 'POST', `/bookings/${booking.body.id}/payments`, { token: guest, body: {} });
  t.equal(payment.status, 201, 'payment started');
  const paymentJob = `${PAYMENT_TIMEOUT}-${payment.body.paymentId}`;
  const job = await jobQueue.getJob(paymentJob);
  t.equal(await job?.getState(), 'delayed', 'the instance scheduled the timeout in BullMQ');
  await job!.promote();
  t.ok(
    await until(async () => (await eventsOf(`payment-${payment.body.paymentId}`)).includes('PaymentClosed'), { timeoutMs: 30_000 }),
    'the job asked the provider and closed the payment',
  );
  t.ok(await until(async () => (await jobEvents(paymentJob)).includes('completed'), { timeoutMs: 10_000 }), 'the job completed');

  // The hold made at the start runs out after its minute.
  const expiryJob = `${HOLD_EXPIRY}-${expiring.body.id}`;
  t.ok(
    await until(async () => (await jobEvents(expiryJob)).includes('completed'), { timeoutMs: 120_000, intervalMs: 250 }),
    'the expiry job ran',
  );
  t.ok(
    await until(async () => (await eventsOf(`booking-${expiring.body.id}`)).includes('BookingExpired'), { timeoutMs: 30_000 }),
    'the hold expired',
  );
  for (const id of [paymentJob, expiryJob]) {
    const seen = await jobEvents(id);
    t.equal(seen.filter((e) => e === 'active').length, 1, `${id.split('-').slice(0, 2).join('-')}: taken by one worker, once`);
    t.equal(seen.filter((e) => e === 'completed').length, 1, 'and completed once');
  }
  t.equal((await eventsOf(`payment-${payment.body.paymentId}`)).filter((e) => e === 'PaymentClosed').length, 1, 'one PaymentClosed');
  t.equal((await eventsOf(`booking-${expiring.body.id}`)).filter((e) => e === 'BookingExpired').length, 1, 'one BookingExpired');
});

t.test('A and a projector killed mid-load: B serves on, nothing acknowledged is lost, every event applied once', async (t) => {
  const acknowledged: string[] = [];
  let afterKill = 0;
  let killed = false;
  let stop = false;
  const worker = async (w: number) => {
    const base = w % 2 === 0 ? a.url : b.url;
    for (let i = 0; !stop; i++) {
      if (killed && base === a.url) return;
      try {
        const r = await hold(base, rooms[(w * 5 + i) % rooms.length]!.id, at(5 + (i % 3), 12 + (i % 10)));
        if (r.status === 201) {
          acknowledged.push(r.body.id);
          if (killed) afterKill++;
        }
      } catch {
        if (base === a.url) return; // A is gone
      }
    }
  };
  const load = Promise.all(Array.from({ length: 6 }, (_, w) => worker(w)));
  await until(() => acknowledged.length >= 20, { timeoutMs: 60_000 });
  a.child.kill('SIGKILL');
  p1.child.kill('SIGKILL');
  killed = true;
  await Promise.all([a.exited, p1.exited]);
  t.ok(await until(() => afterKill >= 10, { timeoutMs: 60_000 }), `B acknowledged ${afterKill} holds after A died`);
  stop = true;
  await load;

  // B and the surviving projector stop cleanly; then the log is the whole truth.
  b.child.kill('SIGTERM');
  t.equal(await b.exited, 0, 'B stopped cleanly');
  t.ok(
    await until(async () => (await projectionLag(platform.db, platform.store)).every((l) => l.eventsBehind === 0), { timeoutMs: 60_000 }),
    'the surviving projector caught up alone',
  );
  p2.child.kill('SIGTERM');
  t.equal(await p2.exited, 0, 'the projector stopped cleanly');

  const missing = [];
  for (const id of acknowledged) if ((await eventsOf(`booking-${id}`))[0] !== 'BookingHeld') missing.push(id);
  t.same(missing, [], `all ${acknowledged.length} acknowledged holds are in the log`);
  t.same(await overlapsInLog(platform.pool, platform.store), [], 'no two live reservations overlap');

  // Two projectors shared every build: each counted exactly the events of its types, no more.
  const { rows } = await sql<{ event_type: string; n: number }>`SELECT event_type, count(*)::int AS n FROM events GROUP BY 1`.execute(
    platform.db,
  );
  const count = new Map(rows.map((r) => [r.event_type, r.n]));
  const generations = await listGenerations(platform.db);
  const wrong = features.projections.flatMap((p) => {
    const expected = p.eventTypes.reduce((sum, type) => sum + (count.get(type) ?? 0), 0);
    const applied = generations.find((g) => g.name === p.name)?.applied;
    return applied === expected ? [] : [`${p.name}: applied ${applied}, events ${expected}`];
  });
  t.same(wrong, [], 'every build applied each of its events exactly once');
  const live = await readModelSnapshot(platform.db);
  const runner = createRunner(platform);
  for (const p of features.projections) await runner.rebuild(p.name);
  t.same(await readModelSnapshot(platform.db), live, 'and the read models equal a rebuild from zero');
});

t.teardown(() => {
  t.comment(
    `cluster test: ${Math.round((performance.now() - began) / 1000)} s in all, ${Math.round(startupMs / 1000)} s to start 4 processes`,
  );
});
