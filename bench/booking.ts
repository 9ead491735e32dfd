import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { businessDateOf, DEFAULT_VENUE } from '../domain/venue/settings.js';
import { addDays, instantOf } from '../domain/venue/time.js';
import { percentile, type Figures } from './figures.js';

/**
 * Booking figures over real HTTP against a server in its own process (as
 * deployed), on a database of the bench's own: hold commands per second on
 * distinct rooms beside raw INSERTs, a 200-way race for one slot, and the
 * availability query's latency at a steady request rate.
 */
const root = path.resolve(import.meta.dirname, '..');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** The fields of the answers the bench reads. */
type Body = Partial<
  Readonly<{
    accessToken: string;
    id: string;
    code: string;
    status: string;
    bookingId: string;
    problem: Readonly<{ code: string }>;
    projections: readonly { eventsBehind: number }[];
  }>
>;
type Reply = { status: number; body: Body; ms: number };

export function request(
  port: number,
  method: string,
  url: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const started = performance.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: url,
        agent,
        headers: {
          ...headers,
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: Body = {};
          try {
            parsed = JSON.parse(text) as Body;
          } catch {
            // not JSON (a proxy's error page, say): no fields to read
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - started });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** One service process, as `main.ts` starts it; `--projector` starts the projector alone. */
function spawnService(env: Record<string, string>, args: readonly string[] = []) {
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), '--import', 'tsx', 'src/root/main.ts', ...args],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const errors: string[] = [];
  child.stderr.on('data', (c: Buffer) => errors.push(c.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`${args.join(' ') || 'server'} exited ${code}: ${errors.join('')}`))),
  );
  exited.catch(() => {}); // only awaited while starting; a stop is a normal exit
  return { child, exited };
}

/**
 * The service on `port` with the demo seeded. `projector: 'apart'` runs the projector as a process of
 * its own beside an API with `PROJECTIONS=off`, as docker-compose and Kubernetes run them;
 * `'inline'` runs both in one process, as `npm start` does.
 */
export async function startServer(
  databaseUrl: string,
  port: number,
  env: Record<string, string> = {},
  projector: 'inline' | 'apart' = 'inline',
) {
  const common = {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '40',
    REDIS_URL: '',
    ...env,
  };
  const apart = projector === 'apart' ? spawnService(common, ['--projector']) : null;
  const api = spawnService({
    ...common,
    PORT: String(port),
    SEED_DEMO: '1',
    LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
    REGISTRATIONS_PER_IP_PER_MINUTE: '100000',
    REFRESHES_PER_IP_PER_MINUTE: '100000',
    COMMANDS_PER_CALLER_PER_MINUTE: '1000000',
    ...(apart ? { PROJECTIONS: 'off' } : {}),
    ...env,
  });
  const processes = [api.child, ...(apart ? [apart.child] : [])];
  const ready = (async () => {
    for (let i = 0; i < 1200; i++) {
      const up = await request(port, 'GET', '/readyz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('server not ready');
  })();
  await Promise.race([ready, api.exited, ...(apart ? [apart.exited] : [])]);
  return {
    pids: processes.map((p) => p.pid ?? 0),
    stop: () => {
      for (const p of processes) p.kill('SIGTERM');
    },
  };
}

/** GETs at a steady rate, sent in small steps rather than bursts; latency from send to the last byte. */
async function steady(
  port: number,
  seconds: number,
  rate: number,
  url: (n: number) => string,
): Promise<{ latencies: number[]; achieved: number }> {
  const latencies: number[] = [];
  const tickMs = 2;
  const inflight: Promise<void>[] = [];
  const began = performance.now();
  let n = 0;
  for (let tick = 0; performance.now() - began < seconds * 1000; tick++) {
    for (let i = 0; i < (rate * tickMs) / 1000; i++) inflight.push(request(port, 'GET', url(n++)).then((r) => void latencies.push(r.ms)));
    const wait = began + (tick + 1) * tickMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inflight);
  return { latencies, achieved: Math.round(latencies.length / ((performance.now() - began) / 1000)) };
}

/** Waits until every read model has applied the whole feed: how far behind they were, and how long that took. */
async function caughtUp(port: number): Promise<{ events: number; ms: number }> {
  const behind = async () => Math.max(0, ...((await request(port, 'GET', '/readyz')).body.projections ?? []).map((p) => p.eventsBehind));
  const started = performance.now();
  const events = await behind();
  for (let left = events, i = 0; left > 0 && i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await behind();
  }
  return { events, ms: performance.now() - started };
}

export async function benchBookings(pool: pg.Pool, databaseUrl: string, seconds: number): Promise<Figures> {
  const port = await freePort();
  // The projector apart, as deployed: it then has the second core instead of sharing the API's event loop.
  const server = await startServer(databaseUrl, port, {}, 'apart');
  try {
    const login = async (email: string) =>
      (await request(port, 'POST', '/auth/login', { email, password: 'demo-password-1' })).body.accessToken ?? '';
    const manager = await login('manager@demo.ktv');
    // One guest per client, each allowed as many open holds as the bench makes (the demo allows 2).
    const venue = (await request(port, 'GET', '/venue')).body;
    await request(port, 'PUT', '/venue', { ...venue, maxActiveHolds: 10_000 }, manager);
    const guests: string[] = [];
    for (let i = 0; i < 32; i++) {
      const email = `bench-${i}@bench.ktv`;
      await request(port, 'POST', '/auth/register', { email, password: 'demo-password-1', name: `Bench ${i}` });
      guests.push(await login(email));
    }
    const guest = guests[0]!;
    const rooms: string[] = [];
    for (let i = 0; i < 64; i++)
      rooms.push((await request(port, 'POST', '/rooms', { name: `B${i}`, type: 'large', capacity: 15 }, manager)).body.id ?? '');
    const today = businessDateOf(new Date(), DEFAULT_VENUE);
    const figures: Figures = {};

    // Distinct rooms and slots, so every hold is a real decision that succeeds.
    let slot = 0;
    const nextHold = () => {
      const n = slot++;
      const room = rooms[n % rooms.length]!;
      const hour = Math.floor(n / rooms.length);
      const date = addDays(today, 1 + Math.floor(hour / 10));
      // Two hours apart, so one hold's cleaning buffer never touches the next.
      return {
        roomId: room,
        start: instantOf(date, (8 + 2 * (hour % 10)) * 60, DEFAULT_VENUE.timeZone).toISOString(),
        durationMinutes: 60,
        partySize: 4,
      };
    };
    await pool.query(
      'CREATE TABLE IF NOT EXISTS bench_raw_holds (id bigserial PRIMARY KEY, room_id text, start_at timestamptz, data jsonb)',
    );
    for (const clients of [1, 8, 32]) {
      let ok = 0;
      const refused = new Map<string, number>();
      const until = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          while (performance.now() < until) {
            const r = await request(port, 'POST', '/bookings', nextHold(), guests[c]);
            if (r.status === 201) ok++;
            else refused.set(`${r.status} ${r.body.code ?? ''}`, (refused.get(`${r.status} ${r.body.code ?? ''}`) ?? 0) + 1);
          }
        }),
      );
      figures[`holds/s over HTTP, ${clients} clients`] = Math.round(ok / seconds);
      for (const [reason, n] of refused) figures[`holds refused (${reason}), ${clients} clients`] = n;
      // The projector in the server trails the holds; its backlog is work the figure above has not
      // paid for yet, and the raw INSERTs below must not share the machine with it.
      const backlog = await caughtUp(port);
      figures[`read models behind when the holds stopped (events), ${clients} clients`] = backlog.events;
      figures[`read models caught up after (s), ${clients} clients`] = Number((backlog.ms / 1000).toFixed(1));
      let raw = 0;
      const rawUntil = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (performance.now() < rawUntil) {
            await pool.query('INSERT INTO bench_raw_holds (room_id, start_at, data) VALUES ($1, now(), $2)', ['r', '{"a":1}']);
            raw++;
          }
        }),
      );
      figures[`raw INSERT/s, ${clients} clients`] = Math.round(raw / seconds);
    }

    // BENCH_ONLY=holds: the hold figures alone (e.g. to profile a hold with BENCH_PROFILE=1).
    if (process.env.BENCH_ONLY === 'holds') return figures;
    // For scale: the same crowd doing nothing but authenticate and read one row each.
    const baseline = await Promise.all(Array.from({ length: 200 }, () => request(port, 'GET', '/auth/sessions', undefined, guest)));
    figures['200 concurrent authenticated GETs: p99 ms'] = Math.round(
      percentile(
        baseline.map((r) => r.ms),
        99,
      ),
    );
    // On the connections just opened: what 200 requests at once cost with no work behind them.
    const bare = await Promise.all(Array.from({ length: 200 }, () => request(port, 'GET', '/healthz')));
    figures['200 concurrent GET /healthz: p99 ms'] = Math.round(
      percentile(
        bare.map((r) => r.ms),
        99,
      ),
    );
    const race = nextHold();
    const replies = await Promise.all(Array.from({ length: 200 }, () => request(port, 'POST', '/bookings', race, guest)));
    const refusals = replies.filter((r) => r.status === 409);
    figures['race of 200: winners'] = replies.filter((r) => r.status === 201).length;
    figures['race of 200: 409 slot_taken'] = refusals.filter((r) => r.body.code === 'slot_taken').length;
    figures['race of 200: refusal p99 ms (target < 100)'] = Math.round(
      percentile(
        refusals.map((r) => r.ms),
        99,
      ),
    );

    const probe = await request(port, 'GET', `/availability?start=${encodeURIComponent(nextHold().start)}&durationMinutes=120&partySize=4`);
    if (probe.status !== 200) {
      figures['availability p99 at 2k req/s'] = `not measured: GET /availability answered ${probe.status}`;
      return figures;
    }
    // Measure the query path, not the projector still catching up with the holds above.
    await caughtUp(port);
    const starts = [0, 1, 2, 3].map((d) => instantOf(addDays(today, 2 + d), 20 * 60, DEFAULT_VENUE.timeZone).toISOString());
    const availabilityUrl = (n: number) =>
      `/availability?start=${encodeURIComponent(starts[n % 4]!)}&durationMinutes=120&partySize=${1 + (Math.floor(n / 4) % 8)}`;
    await steady(port, 1, 2000, availabilityUrl); // warm-up, not counted
    const availability = await steady(port, seconds, 2000, availabilityUrl);
    figures['availability requests/s achieved'] = availability.achieved;
    figures['availability p50 ms'] = Number(percentile(availability.latencies, 50).toFixed(2));
    figures['availability p99 ms (target < 10)'] = Number(percentile(availability.latencies, 99).toFixed(2));
    // For scale: the same rate of the cheapest route there is.
    const floor = await steady(port, seconds, 2000, () => '/healthz');
    figures['GET /healthz at the same rate: p99 ms'] = Number(percentile(floor.latencies, 99).toFixed(2));
    return figures;
  } finally {
    server.stop();
    agent.destroy();
  }
}
