import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { PlatformDatabase } from '../src/db/schema.js';
import { PostgresEventStore } from '../src/eventstore/postgres.js';
import { createKysely, createPool } from '../src/db/pool.js';
import { createLogger } from '../src/logger.js';
import { installProjections } from '../src/projections/registry.js';
import { ProjectionRunner } from '../src/projections/runner.js';
import { defineProjection, type Projection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import { percentile, type Figures } from './figures.js';

/**
 * Event store and projection runner figures on a database of the bench's own:
 * single-event appends on distinct streams beside raw INSERTs into a copy of
 * the events table, projection lag under a steady append rate, and a rebuild
 * from zero over a million events.
 */
const BATCH_SIZE = 1000;
const REBUILD_BATCH_SIZE = 5000;

/** One read-model row per event, written per batch in one statement, as a well-made projection does. */
function rowsProjection(onApplied: (events: readonly RecordedEvent[]) => void): Projection {
  return defineProjection<{ bench_rows: { event_id: string; stream_id: string; n: number } }>({
    name: 'bench_rows',
    version: 1,
    tables: ['bench_rows'],
    eventTypes: ['BenchEvent'],
    async setup(db) {
      await db.schema
        .createTable('bench_rows')
        .addColumn('event_id', 'uuid', (c) => c.primaryKey())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .execute();
    },
    async apply(trx, events) {
      await trx
        .insertInto('bench_rows')
        .columns(['event_id', 'stream_id', 'n'])
        .expression(
          sql`SELECT * FROM unnest(${events.map((e) => e.id)}::uuid[], ${events.map((e) => e.streamId)}::text[], ${events.map((e) => (e.data as { n: number }).n)}::bigint[])`,
        )
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
      onApplied(events);
    },
  });
}

const event = (n: number) => ({ id: randomUUID(), type: 'BenchEvent', data: { n, room: `r${n % 64}`, at: new Date().toISOString() } });

async function forClients(clients: number, seconds: number, work: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        await work();
        done++;
      }
    }),
  );
  return done / seconds;
}

export async function benchEventStore(databaseUrl: string, seconds: number, rebuildEvents: number): Promise<Figures> {
  const pool = createPool(databaseUrl, 40);
  const db = createKysely<PlatformDatabase>(pool);
  const store = new PostgresEventStore(pool, { connectionString: databaseUrl });
  const figures: Figures = {};
  try {
    // An equal table: the same columns, defaults, identity and indexes as `events`.
    await sql`CREATE TABLE raw_events (LIKE events INCLUDING ALL)`.execute(db);
    let n = 0;
    for (const clients of [1, 8, 32]) {
      const appends = await forClients(clients, seconds, () => store.appendToStream(`bench-${randomUUID()}`, [event(n++)], 'no_stream'));
      const inserts = await forClients(clients, seconds, () =>
        pool.query(`INSERT INTO raw_events (stream_id, stream_version, event_id, event_type, data) VALUES ($1, 1, $2, 'BenchEvent', $3)`, [
          `raw-${randomUUID()}`,
          randomUUID(),
          event(n++).data,
        ]),
      );
      figures[`appends/s, ${clients} writers`] = Math.round(appends);
      figures[`raw INSERT/s, ${clients} writers`] = Math.round(inserts);
      figures[`appends ÷ raw INSERTs, ${clients} writers (target ≥ 0.5)`] = Number((appends / inserts).toFixed(2));
    }

    // Lag: from an append's acknowledgement to the commit of the batch that projected it.
    const acked = new Map<string, number>();
    const lags: number[] = [];
    let applied: readonly RecordedEvent[] = [];
    const projection = rowsProjection((events) => (applied = events));
    await installProjections(db, [projection]);
    const runner = new ProjectionRunner({
      db,
      store,
      projections: [projection],
      logger: createLogger({ logLevel: 'silent' }),
      batchSize: BATCH_SIZE,
      rebuildBatchSize: REBUILD_BATCH_SIZE,
      pollMs: 500,
      onBatch: () => {
        const now = performance.now();
        for (const e of applied) {
          const at = acked.get(e.id);
          if (at !== undefined) lags.push(Math.max(0, now - at));
        }
      },
    });
    await runner.catchUp(600_000);
    await runner.start();
    const rate = 1000;
    const tickMs = 10;
    const inflight: Promise<void>[] = [];
    const began = performance.now();
    for (let tick = 0; performance.now() - began < seconds * 1000; tick++) {
      for (let i = 0; i < (rate * tickMs) / 1000; i++) {
        const e = event(n++);
        inflight.push(store.appendToStream(`lag-${randomUUID()}`, [e], 'no_stream').then(() => void acked.set(e.id, performance.now())));
      }
      const wait = began + (tick + 1) * tickMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(inflight);
    const deadline = Date.now() + 30_000;
    while (lags.length < acked.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await runner.stop();
    figures['appends/s achieved for the lag run'] = Math.round(acked.size / ((performance.now() - began) / 1000));
    figures['projection lag p50 ms'] = Number(percentile(lags, 50).toFixed(1));
    figures['projection lag p99 ms (target < 50)'] = Number(percentile(lags, 99).toFixed(1));

    // Rebuild: load events straight into the store's tables, then build the projection again from zero.
    const have = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(db)).rows[0]!.n);
    const chunk = 100_000;
    for (let from = have; from < rebuildEvents; from += chunk) {
      const to = Math.min(rebuildEvents, from + chunk) - 1;
      await sql`
        WITH s AS (INSERT INTO streams (stream_id, stream_type, version) SELECT 'load-' || g, 'load', 1 FROM generate_series(${from}::int, ${to}::int) g RETURNING stream_id)
        INSERT INTO events (stream_id, stream_version, event_id, event_type, data)
        SELECT stream_id, 1, gen_random_uuid(), 'BenchEvent', jsonb_build_object('n', substr(stream_id, 6)::int, 'room', 'r' || (substr(stream_id, 6)::int % 64), 'at', now()) FROM s`.execute(
        db,
      );
    }
    const total = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(db)).rows[0]!.n);
    const rebuilt = await runner.rebuild('bench_rows');
    figures['rebuild from zero: events'] = rebuilt.events;
    figures['rebuild from zero: events/s (target ≥ 50k)'] = Math.round(rebuilt.events / (rebuilt.ms / 1000));
    if (rebuilt.events !== total) figures['rebuild from zero: events in the store'] = total;
    return figures;
  } finally {
    await pool.end();
  }
}
