import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { testDatabase } from '../helpers/database.js';
import { overlapsInLog } from '../helpers/invariants.js';
import { readModelSnapshot } from '../helpers/read-models.js';
import { freePort, startServer } from './process.js';
import { until } from '../helpers/until.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openPlatform } from '../../src/platform.js';
import { createRunner } from '../../src/root/service.js';
import * as features from '../../src/root/features.js';
import { listGenerations } from '../../src/projections/registry.js';
import { addDays } from '../../domain/venue/time.js';
import { businessDateOf, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { instantOf } from '../../domain/venue/time.js';
import { demoVenue } from '../../src/root/demo/rate-card.js';

/**
 * kill -9 of the server in the middle of a booking load, then a restart on the
 * same database: every command that was answered is still there, the invariant
 * holds in the log, and the read models equal a rebuild from zero.
 */
const databaseUrl = await testDatabase(t);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ktv-crash-'));
t.teardown(() => rm(dataDir, { recursive: true, force: true }));
const port = await freePort();
// The overload guard off: this load is the test's own, and refused commands would only thin it out.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  PORT: String(port),
  SEED_DEMO: '1',
  DATA_DIR: dataDir,
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
  REGISTRATIONS_PER_IP_PER_MINUTE: '100000',
  REFRESHES_PER_IP_PER_MINUTE: '100000',
  COMMANDS_PER_CALLER_PER_MINUTE: '1000000',
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
};
delete env.REDIS_URL;

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

t.test('acknowledged commands survive kill -9, and read models equal a rebuild', async (t) => {
  const first = await startServer(env);
  t.teardown(() => first.child.kill('SIGKILL'));
  const login = await json(`${first.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'guest@demo.ktv', password: 'demo-password-1' }),
  });
  const auth = { authorization: `Bearer ${login.body.accessToken}`, 'content-type': 'application/json' };
  // One guest makes the whole load: lift the demo's limit on open holds per guest.
  const manager = await json(`${first.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'manager@demo.ktv', password: 'demo-password-1' }),
  });
  const lifted = await json(`${first.url}/venue`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${manager.body.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...demoVenue, maxActiveHolds: 10_000 }),
  });
  t.equal(lifted.status, 200);
  let rooms: { id: string; capacity: number }[] = [];
  await until(async () => (rooms = (await json(`${first.url}/rooms`)).body).length >= 14, { timeoutMs: 30_000, intervalMs: 50 });
  t.equal(rooms.length, 14);

  const day = addDays(businessDateOf(new Date(), DEFAULT_VENUE), 5);
  const acknowledged: string[] = [];
  let killed = false;
  let attempts = 0;
  const worker = async (w: number) => {
    for (let i = 0; !killed; i++) {
      const room = rooms[(w * 7 + i) % rooms.length]!;
      const start = instantOf(day, (12 + (i % 10)) * 60, DEFAULT_VENUE.timeZone).toISOString();
      attempts++;
      try {
        const r = await json(`${first.url}/bookings`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ roomId: room.id, start, durationMinutes: 60, partySize: 2 }),
        });
        if (r.status === 201) acknowledged.push(r.body.id);
      } catch {
        return; // the server is gone
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  // At least a second and a half of load, and (however slow the host) enough acknowledged holds to check.
  await Promise.all([new Promise((r) => setTimeout(r, 1500)), until(() => acknowledged.length > 10, { timeoutMs: 60_000 })]);
  killed = true;
  first.child.kill('SIGKILL');
  await first.exited;
  await load;
  t.ok(acknowledged.length > 10, `${acknowledged.length} holds acknowledged of ${attempts} tried before the kill`);

  const second = await startServer(env);
  t.teardown(() => second.child.kill('SIGKILL'));
  const config = loadConfig({}, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', DATA_DIR: dataDir, PROJECTIONS: 'off' });
  const platform = await openPlatform(config, createLogger(config));
  t.teardown(() => platform.close());

  const missing: string[] = [];
  for (const id of acknowledged) {
    const { events } = await platform.store.readStream(`booking-${id}`);
    if (events[0]?.type !== 'BookingHeld') missing.push(id);
  }
  t.same(missing, [], 'every acknowledged hold is in the log');
  t.same(await overlapsInLog(platform.pool, platform.store), [], 'and no two live reservations overlap');

  const runner = createRunner(platform);
  await runner.catchUp();
  const incremental = await readModelSnapshot(platform.db);
  for (const p of features.projections) await runner.rebuild(p.name);
  const generations = await listGenerations(platform.db);
  t.ok(
    generations.every((g) => g.generation > 1),
    'every projection was rebuilt into a new generation',
  );
  t.same(await readModelSnapshot(platform.db), incremental, 'read models equal a rebuild from zero');

  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0);
});
