import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { sql, type Kysely } from 'kysely';
import { PostgresEventStore } from '../../../src/eventstore/postgres.js';
import { createKysely, createPool } from '../../../src/db/pool.js';
import { ProjectionRunner } from '../../../src/projections/runner.js';
import { defineProjection, type Projection } from '../../../src/projections/projection.js';
import { listGenerations } from '../../../src/projections/registry.js';
import { projectionLag } from '../../../src/projections/lag.js';
import { createLogger } from '../../../src/logger.js';
import { testDatabase } from '../../helpers/database.js';
import { until } from '../../helpers/until.js';

const logger = createLogger({ logLevel: 'silent' });

/** A projection that records every event it applies, keyed by event id so a second application fails loudly. */
function ledgerOf(name: string, version = 1, failOnce?: { after: number }): Projection {
  let applied = 0;
  let failed = false;
  return defineProjection<Record<string, { event_id: string; n: number; version: number }>>({
    name,
    version,
    tables: [`${name}_seen`],
    eventTypes: ['Counted'],
    async setup(db) {
      await db.schema
        .createTable(`${name}_seen`)
        .addColumn('event_id', 'uuid', (c) => c.primaryKey())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
    },
    async apply(trx, events) {
      for (const e of events) {
        await trx
          .insertInto(`${name}_seen`)
          .values({ event_id: e.id, n: (e.data as { n: number }).n, version })
          .execute();
        applied++;
        // A crash between writing rows and moving the checkpoint: the batch's writes must vanish with it.
        if (failOnce && !failed && applied === failOnce.after) {
          failed = true;
          throw new Error('simulated crash mid-batch');
        }
      }
    },
  });
}

async function setup(t: Test) {
  const url = await testDatabase(t);
  const pool = createPool(url, 10);
  const db = createKysely<any>(pool);
  t.teardown(() => db.destroy());
  const store = new PostgresEventStore(pool, { connectionString: url });
  const append = async (count: number) => {
    for (let i = 0; i < count; i += 50) {
      const events = Array.from({ length: Math.min(50, count - i) }, (_, j) => ({ id: randomUUID(), type: 'Counted', data: { n: i + j } }));
      await store.appendToStream(`counter-${randomUUID()}`, [...events, { id: randomUUID(), type: 'Ignored', data: {} }], 'no_stream');
    }
  };
  const runner = (projections: Projection[], batchSize = 100) =>
    new ProjectionRunner({ db, store, projections, logger, batchSize, rebuildBatchSize: 70, pollMs: 50 });
  return { db, store, append, runner };
}

async function rows(db: Kysely<any>, table: string) {
  return (await sql<{ event_id: string; n: number; version: number }>`SELECT * FROM rm.${sql.id(table)} ORDER BY n, event_id`.execute(db))
    .rows;
}

t.test('a crash between apply and checkpoint leaves no trace; the retry applies each event once', async (t) => {
  const { db, append, runner } = await setup(t);
  await append(500);
  const r = runner([ledgerOf('crashy', 1, { after: 130 })]);
  await t.rejects(r.catchUp(), /simulated crash/);
  const [g] = await listGenerations(db, 'crashy');
  const committed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id(g!.schemaName, 'crashy_seen')}`.execute(db);
  t.ok(g!.applied > 0 && g!.applied < 130, 'the first batch committed, the second did not');
  t.equal(committed.rows[0]?.n, g!.applied, 'rows and checkpoint moved together');
  await r.catchUp();
  const seen = await rows(db, 'crashy_seen');
  t.equal(seen.length, 500);
  t.same(
    seen.map((s) => s.n),
    Array.from({ length: 500 }, (_, i) => i),
  );
});

t.test('projections at one checkpoint share a batch; one that fails does not take the others down with it', async (t) => {
  const { db, append, runner } = await setup(t);
  await append(500);
  const r = runner([ledgerOf('steady'), ledgerOf('flaky', 1, { after: 130 })]);
  await r.catchUp();
  for (const name of ['steady', 'flaky']) {
    const seen = await rows(db, `${name}_seen`);
    t.same(
      seen.map((s) => s.n),
      Array.from({ length: 500 }, (_, i) => i),
      `${name}: every event once`,
    );
  }
  // An event one projection can never apply: the other still commits the batch that holds it.
  const poisoned: Projection = {
    ...ledgerOf('poisoned'),
    async apply(_trx, events) {
      if (events.some((e) => (e.data as { n: number }).n === 250)) throw new Error('cannot apply 250');
    },
  };
  const p = runner([ledgerOf('healthy'), poisoned]);
  await t.rejects(p.catchUp(), /cannot apply 250/);
  const [healthy] = await listGenerations(db, 'healthy');
  const [stuck] = await listGenerations(db, 'poisoned');
  t.ok(healthy!.applied > stuck!.applied, 'the healthy projection got past the event the other cannot apply');
});

t.test('two runners racing over one projection apply every event exactly once', async (t) => {
  const { db, append, runner } = await setup(t);
  await append(2000);
  const a = runner([ledgerOf('raced')], 37);
  const b = runner([ledgerOf('raced')], 53);
  await Promise.all([a.catchUp(), b.catchUp(), a.catchUp(), b.catchUp()]);
  await a.catchUp();
  const seen = await rows(db, 'raced_seen');
  t.equal(seen.length, 2000, 'no event missing; a duplicate would have broken the primary key');
  const [g] = await listGenerations(db, 'raced');
  t.equal(g?.applied, 2000);
});

t.test('running runners follow new events live, woken by notifications', async (t) => {
  const { db, append, runner } = await setup(t);
  const r = runner([ledgerOf('live')]);
  await r.start();
  t.teardown(() => r.stop());
  await append(120);
  let seen = 0;
  await until(async () => (seen = (await rows(db, 'live_seen').catch(() => [])).length) >= 120);
  t.equal(seen, 120);
});

t.test('rebuild from zero equals the incremental result and switches reads to the new build', async (t) => {
  const { db, store, append, runner } = await setup(t);
  const r = runner([ledgerOf('rebuilt')]);
  await append(300);
  await r.catchUp();
  await append(200);
  await r.catchUp();
  const incremental = await rows(db, 'rebuilt_seen');
  const before = await listGenerations(db, 'rebuilt');
  const result = await r.rebuild('rebuilt');
  t.equal(result.events, 500);
  const after = await listGenerations(db, 'rebuilt');
  t.equal(after.length, 1, 'the old build is retired');
  t.not(after[0]?.schemaName, before[0]?.schemaName, 'the view now points at a new schema');
  t.same(await rows(db, 'rebuilt_seen'), incremental);
  const lag = await projectionLag(db, store);
  t.same(
    lag.map((l) => [l.name, l.eventsBehind]),
    [['rebuilt', 0]],
  );
});

t.test('a new projection version builds beside the old one, which serves until the new one has caught up', async (t) => {
  const { db, append, runner } = await setup(t);
  await append(200);
  await runner([ledgerOf('bluegreen', 1)]).catchUp();
  t.same([...new Set((await rows(db, 'bluegreen_seen')).map((r) => r.version))], [1]);

  const v2 = runner([ledgerOf('bluegreen', 2)], 50);
  // One batch only: v2 is building, reads still come from v1.
  await (v2 as unknown as { tick(): Promise<boolean> }).tick();
  const during = await listGenerations(db, 'bluegreen');
  t.same(
    during.map((g) => [g.version, g.status]),
    [
      [1, 'active'],
      [2, 'building'],
    ],
  );
  t.same([...new Set((await rows(db, 'bluegreen_seen')).map((r) => r.version))], [1], 'reads still see v1');

  await v2.catchUp();
  await v2.catchUp();
  const after = await listGenerations(db, 'bluegreen');
  t.same(
    after.map((g) => [g.version, g.status]),
    [[2, 'active']],
  );
  const seen = await rows(db, 'bluegreen_seen');
  t.equal(seen.length, 200);
  t.same([...new Set(seen.map((r) => r.version))], [2], 'reads switched to v2');
});
