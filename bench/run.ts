import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { createKysely, createPool } from '../src/db/pool.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { benchEventStore } from './event-store.js';
import { benchBookings } from './booking.js';
import { benchBurst } from './burst.js';
import { benchBoard } from './board.js';
import { print } from './figures.js';
import { benchSmart } from './smart.js';

/**
 * `npm run bench`: prints the event store, projection and booking figures.
 * Runs on DATABASE_URL's server (default the local one) in databases of its
 * own, dropped afterwards. BENCH_SECONDS sets each measurement's length,
 * BENCH_REBUILD_EVENTS the size of the rebuild, BENCH_ONLY one part: smart, store, booking (holds:
 * the hold figures only), board (BENCH_BOARD_CHANGES the changes each round measures), or burst (the
 * flash-sale burst with the queue on and off, also run by BENCH_BURST=1 after the rest).
 */
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rebuildEvents = Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000);
const only = process.env.BENCH_ONLY;

async function withDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const name = `ktv_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(statement);
    await c.end();
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    const pool = createPool(url.toString(), 2);
    await migrateToLatest(createKysely(pool));
    await pool.end();
    return await use(url.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

console.log(
  `bench: ${os.cpus().length} cores, Node ${process.version}, ${seconds} s per measurement, PostgreSQL at ${new URL(serverUrl).host}`,
);
if (only === undefined || only === 'smart')
  print('Smart features, offline on a generated history (seed 1, 90 days, 500 guests)', benchSmart());
if (only === undefined || only === 'store')
  print('Event store and projections', await withDatabase((url) => benchEventStore(url, seconds, rebuildEvents)));
if (only === undefined || only === 'booking' || only === 'holds') {
  print(
    'Booking over HTTP (server in its own process)',
    await withDatabase(async (url) => {
      const pool = createPool(url, 40);
      try {
        return await benchBookings(pool, url, seconds);
      } finally {
        await pool.end();
      }
    }),
  );
}

if (only === undefined || only === 'board') {
  const changes = Number(process.env.BENCH_BOARD_CHANGES ?? 20);
  print('The live floor over SSE and WebSocket (server in its own process)', await withDatabase((url) => benchBoard(url, changes)));
}

if (only === 'burst' || process.env.BENCH_BURST === '1') {
  for (const queued of [true, false]) {
    print(
      `A burst of holds, admission queue ${queued ? 'on (Prefer: respond-async)' : 'off'}`,
      await withDatabase(async (url) => {
        const pool = createPool(url, 4);
        try {
          return await benchBurst(pool, url, queued);
        } finally {
          await pool.end();
        }
      }),
    );
  }
}
