import t from 'tap';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { testDatabase } from '../helpers/database.js';
import { freePort, startRedisServer, startServer } from './process.js';
import { until } from '../helpers/until.js';
import { addDays, instantOf } from '../../domain/venue/time.js';
import { businessDateOf, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { demoVenue } from '../../src/root/demo/rate-card.js';

/**
 * Dependencies failing under load, against the service as its own process:
 * its PostgreSQL sessions terminated again and again, then its Redis killed and
 * restarted. The process stays up, answers at worst a 503 with a code, comes
 * back by itself, and loses no acknowledged command.
 */
t.setTimeout(300_000);
const databaseUrl = await testDatabase(t);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ktv-faults-'));
t.teardown(() => rm(dataDir, { recursive: true, force: true }));

// A Redis of this test's own, so killing it disturbs nobody else.
const redisPort = await freePort();
let redis: ChildProcess | null = null;
async function startRedis(): Promise<void> {
  redis = await startRedisServer(redisPort);
}
async function killRedis(): Promise<void> {
  const child = redis;
  redis = null;
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await gone;
}
await startRedis();
t.teardown(killRedis);

const port = await freePort();
const server = await startServer({
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  PORT: String(port),
  SEED_DEMO: '1',
  DATA_DIR: dataDir,
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
  REGISTRATIONS_PER_IP_PER_MINUTE: '100000',
  // One guest sends every hold of the load here; the per-caller limit is not what is under test.
  COMMANDS_PER_CALLER_PER_MINUTE: '1000000',
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
  LOG_LEVEL: 'info',
});
t.teardown(() => server.child.kill('SIGKILL'));
let exitCode: number | null | undefined;
void server.exited.then((code) => (exitCode = code));

const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
t.teardown(() => admin.end());

type Answer = { status: number; body: any; headers: Headers };
async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  try {
    const res = await fetch(server.url + url, { ...init, signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
  } catch (err) {
    return { status: 0, body: { error: String(err) }, headers: new Headers() };
  }
}

const login = await request('/auth/login', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'guest@demo.ktv', password: 'demo-password-1' }),
});
const auth = { authorization: `Bearer ${login.body.accessToken}`, 'content-type': 'application/json' };
// One guest makes the whole load: lift the demo's limit on open holds per guest.
const manager = await request('/auth/login', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'manager@demo.ktv', password: 'demo-password-1' }),
});
const lifted = await request('/venue', {
  method: 'PUT',
  headers: { authorization: `Bearer ${manager.body.accessToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ ...demoVenue, maxActiveHolds: 10_000 }),
});
if (lifted.status !== 200) throw new Error(`lifting the hold limit failed: ${lifted.status}`);
let rooms: { id: string }[] = [];
await until(async () => (rooms = (await request('/rooms')).body ?? []).length >= 14, { timeoutMs: 30_000, intervalMs: 50 });

const seen = new Map<string, number>();
const acknowledged: string[] = [];
let slot = 0;
/** One hold and a read of it by position; what came back is tallied as `status` or `status code`. */
async function holdAndRead(dayOffset: number): Promise<boolean> {
  const i = slot++;
  const room = rooms[i % rooms.length]!;
  const day = addDays(businessDateOf(new Date(), DEFAULT_VENUE), dayOffset + Math.floor(i / (rooms.length * 10)));
  const start = instantOf(day, (12 + (Math.floor(i / rooms.length) % 10)) * 60, DEFAULT_VENUE.timeZone).toISOString();
  const tally = (a: Answer) => {
    const key = a.status >= 500 || a.status === 0 ? `${a.status} ${a.body?.code ?? a.body?.error ?? ''}` : String(a.status);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  };
  const held = await request('/bookings', {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ roomId: room.id, start, durationMinutes: 60, partySize: 2 }),
  });
  tally(held);
  if (held.status !== 201) return false;
  if (typeof held.body?.id !== 'string') {
    // An acknowledgement must name its booking; one that does not is counted, so the tally shows it.
    tally({ ...held, status: 0, body: { error: `201 without an id: ${JSON.stringify(held.body)}` } });
    return false;
  }
  acknowledged.push(held.body.id);
  const read = await request(`/bookings/${held.body.id}`, {
    headers: { ...auth, 'if-event-position': held.headers.get('event-position') ?? '' },
  });
  tally(read);
  return read.status === 200;
}

/** Workers doing holds and reads until `stop()` says so, each at most `max` times. */
function load(workers: number, max: number, dayOffset: number) {
  let stopped = false;
  const done = Promise.all(
    Array.from({ length: workers }, async () => {
      for (let n = 0; n < max && !stopped; n++) await holdAndRead(dayOffset);
    }),
  );
  return {
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

const unexpected = () => [...seen.keys()].filter((k) => !/^(200|201|409|503 [a-z_]+)$/.test(k));

t.test('PostgreSQL sessions terminated again and again under load', async (t) => {
  seen.clear();
  const before = acknowledged.length;
  const running = load(4, 60, 3);
  const kills: number[] = [];
  for (let k = 0; k < 5; k++) {
    await new Promise((r) => setTimeout(r, 700));
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    kills.push(rowCount ?? 0);
  }
  const lastKill = performance.now();
  await running.stop();
  // A later round can find nothing to end: every session already gone and the next not yet opened.
  t.ok(
    kills[0]! > 0 && kills.reduce((a, b) => a + b, 0) >= kills.length,
    `the service's sessions were terminated (${kills.join(', ')} a round)`,
  );
  t.equal(exitCode, undefined, 'the process is still up');
  const recovered = await until(() => holdAndRead(3), { timeoutMs: 30_000, intervalMs: 100 });
  t.ok(recovered, `a hold and its read succeed again ${Math.round(performance.now() - lastKill)} ms after the last termination`);
  t.comment(`answers during the faults: ${JSON.stringify(Object.fromEntries(seen))}`);
  t.same(unexpected(), [], 'nothing but successes, conflicts and 503s with a code');
  t.ok(acknowledged.length > before, `${acknowledged.length - before} holds acknowledged`);

  const listening = await until(
    async () => {
      const { rows } = await admin.query<{ query: string }>(
        `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
      );
      const channels = rows.map((r) => r.query).sort();
      return channels.some((q) => q.includes('ktv_events')) && channels.some((q) => q.includes('ktv_availability')) ? channels : null;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  t.ok(listening, `LISTEN re-established on both channels: ${JSON.stringify(listening)}`);

  // Availability answers are cached per business date and made stale by NOTIFY: after the reconnect a new
  // hold must still take its room out of the offers.
  const day = addDays(businessDateOf(new Date(), DEFAULT_VENUE), 20);
  const start = instantOf(day, 15 * 60, DEFAULT_VENUE.timeZone).toISOString();
  const offers = async () =>
    ((await request(`/availability?start=${encodeURIComponent(start)}&durationMinutes=60&partySize=2`)).body ?? []) as { roomId: string }[];
  const free = await offers();
  t.ok(free.length > 0, 'rooms are offered');
  const held = await request('/bookings', {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ roomId: free[0]!.roomId, start, durationMinutes: 60, partySize: 2 }),
  });
  t.equal(held.status, 201);
  acknowledged.push(held.body.id);
  const gone = await until(async () => !(await offers()).some((o) => o.roomId === free[0]!.roomId), { timeoutMs: 10_000, intervalMs: 50 });
  t.ok(gone, 'the held room leaves the cached offers: invalidation works after the reconnect');
});

t.test('Redis killed under load for five seconds, then back', async (t) => {
  seen.clear();
  const before = acknowledged.length;
  const running = load(4, 200, 8);
  await new Promise((r) => setTimeout(r, 500));
  await killRedis();
  const killedAt = performance.now();
  await new Promise((r) => setTimeout(r, 5000));
  await startRedis();
  const backAt = performance.now();
  t.comment(`Redis was away ${Math.round(backAt - killedAt)} ms`);
  await running.stop();
  t.equal(exitCode, undefined, 'the process is still up');
  const recovered = await until(() => holdAndRead(8), { timeoutMs: 30_000, intervalMs: 100 });
  t.ok(recovered, `a hold and its read succeed again ${Math.round(performance.now() - backAt)} ms after Redis returned`);
  t.comment(`answers around the outage: ${JSON.stringify(Object.fromEntries(seen))}`);
  t.same(unexpected(), [], 'nothing but successes, conflicts and 503s with a code');
  t.ok(acknowledged.length > before, `${acknowledged.length - before} holds acknowledged`);
});

t.test('every acknowledged hold is in the event log', async (t) => {
  const { rows } = await admin.query<{ stream_id: string }>(
    `SELECT stream_id FROM events WHERE event_type = 'BookingHeld' AND stream_id = ANY($1::text[])`,
    [acknowledged.map((id) => `booking-${id}`)],
  );
  const found = new Set(rows.map((r) => r.stream_id));
  t.same(
    acknowledged.filter((id) => !found.has(`booking-${id}`)),
    [],
    `all ${acknowledged.length} acknowledged holds are there`,
  );
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, 'and the process still shuts down cleanly');
});
