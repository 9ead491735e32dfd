import t from 'tap';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startServer } from './process.js';
import { until } from '../helpers/until.js';

/**
 * `npm start` as a newcomer runs it: no DATABASE_URL, no REDIS_URL. An embedded
 * PostgreSQL starts in the data folder, demo data loads once, SIGTERM exits 0,
 * and a second start keeps the data without loading the demo again.
 */
async function start(dataDir: string, port: number) {
  // The overload guard off: the demo seed is exempt anyway (it runs before the server listens, see
  // src/app.ts), but the requests this test sends afterwards would be refused on a busy host.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    SEED_DEMO: '1',
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.EVENTSTORE_URL;
  return startServer(env);
}

/** The rooms list once the projector has caught up with the seed (at least `expect` rooms), else the last one seen. */
async function rooms(port: number, expect: number): Promise<unknown[]> {
  let list: unknown[] = [];
  await until(async () => (list = (await (await fetch(`http://127.0.0.1:${port}/rooms`)).json()) as unknown[]).length >= expect, {
    timeoutMs: 30_000,
    intervalMs: 50,
  });
  return list;
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ktv-start-'));
await chmod(dataDir, 0o755); // the embedded server runs as the postgres user when we are root
t.teardown(() => rm(dataDir, { recursive: true, force: true }));

t.test('first start: embedded database, demo data, the operational routes, clean SIGTERM', async (t) => {
  const port = await freePort();
  const s = await start(dataDir, port);
  t.teardown(() => s.child.kill('SIGKILL'));
  const all = s.logs.join('');
  t.match(all, /embedded PostgreSQL started; data lives in this folder/);
  t.match(all, new RegExp(path.join(dataDir, 'postgres').replaceAll('/', '\\/')));
  t.match(all, /this node runs alone/);
  t.match(all, /demo data loaded/);

  const list = await rooms(port, 14);
  t.equal(list.length, 14, 'the demo venue has 14 rooms');
  t.equal(new Set(list.map((r) => (r as { type: string }).type)).size, 5, 'across 5 room types');
  t.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  t.equal(ready.status, 200);
  t.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /http_request_duration_seconds/);
  t.equal(((await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as { openapi: string }).openapi, '3.1.0');
  for (const role of ['admin', 'manager', 'waiter', 'accountant', 'guest']) {
    const login = await fetch(`http://127.0.0.1:${port}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${role}@demo.ktv`, password: 'demo-password-1' }),
    });
    t.equal(login.status, 200, `${role}@demo.ktv signs in`);
    t.same(((await login.json()) as { user: { roles: string[] } }).user.roles, [role]);
  }

  const signalled = Date.now();
  s.child.kill('SIGTERM');
  t.equal(await s.exited, 0, 'SIGTERM exits 0');
  t.ok(Date.now() - signalled < 10_000, `and within a few seconds (${Date.now() - signalled} ms)`);
});

t.test('second start on the same folder keeps the data and does not load the demo twice', async (t) => {
  const port = await freePort();
  const s = await start(dataDir, port);
  t.teardown(() => s.child.kill('SIGKILL'));
  t.match(s.logs.join(''), /demo data already loaded/);
  t.comment(`ready in ${s.readyMs} ms on a warm data folder`);
  const list = await rooms(port, 14);
  await new Promise((r) => setTimeout(r, 300));
  t.equal((await rooms(port, 14)).length, 14, 'still 14 rooms');
  t.equal(list.length, 14);
  s.child.kill('SIGTERM');
  t.equal(await s.exited, 0);
});
