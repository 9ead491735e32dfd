import { randomUUID } from 'node:crypto';
import t from 'tap';
import { PostgresEventStore } from '../../../src/eventstore/postgres.js';
import { START, type Checkpoint, type RecordedEvent } from '../../../src/eventstore/port.js';
import { createUpcast } from '../../../src/eventstore/upcast.js';
import { createPool } from '../../../src/db/pool.js';
import { testDatabase } from '../../helpers/database.js';
import { eventStoreContract } from './contract.js';

const url = await testDatabase(t);
const pool = createPool(url, 30);
t.teardown(() => pool.end());

t.test('PostgreSQL adapter passes the event store contract', async (t) => {
  eventStoreContract(t, async (_t, upcasters) => new PostgresEventStore(pool, { connectionString: url }, createUpcast(upcasters)));
});

t.test('an append whose transaction commits after a later one is neither skipped nor repeated', async (t) => {
  const store = new PostgresEventStore(pool, { connectionString: url });
  const start = await drain(store, START);

  // A: draws its global position first but stays uncommitted.
  const slow = await pool.connect();
  t.teardown(() => slow.release());
  await slow.query('BEGIN');
  const inTx = new PostgresEventStore(slow, { connectionString: url });
  const a = await inTx.appendToStream(`ooo-${randomUUID()}`, [{ id: randomUUID(), type: 'A', data: {} }], 'no_stream');

  // B: a later position, committed at once.
  const b = await store.appendToStream(`ooo-${randomUUID()}`, [{ id: randomUUID(), type: 'B', data: {} }], 'no_stream');
  const posA = BigInt(a.position.split(':')[1]!);
  const posB = BigInt(b.position.split(':')[1]!);
  t.ok(posA < posB, 'A holds the lower global position');

  // What a naive reader by global position alone would see now: B, and A invisible.
  const naive = await pool.query<{ event_type: string }>(
    'SELECT event_type FROM events WHERE global_position > $1 ORDER BY global_position',
    [(posA - 1n).toString()],
  );
  t.same(
    naive.rows.map((r) => r.event_type),
    ['B'],
    'by position alone, B is readable while A is not: a reader would move past A',
  );

  // Only the visible part: B is committed but must stay hidden behind A.
  const during = await drain(store, start.next, false);
  t.same(
    during.events.map((e) => e.type),
    [],
    'our feed shows nothing while an older transaction is still open',
  );

  await slow.query('COMMIT');
  const after = await drain(store, during.next);
  t.same(
    after.events.map((e) => e.type),
    ['A', 'B'],
    'both arrive, once each, in commit-safe order',
  );
  const again = await drain(store, after.next);
  t.same(again.events, [], 'and never again');
});

t.test('a subscriber that keeps reading through many overlapping appends sees every event exactly once', async (t) => {
  const store = new PostgresEventStore(pool, { connectionString: url });
  const start = await drain(store, START);
  const seen: string[] = [];
  let at: Checkpoint = start.next;
  const ids: string[] = [];
  let writing = true;
  const reader = (async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const batch = await store.readAll({ from: at, limit: 50 });
      seen.push(...batch.events.filter((e) => e.type === 'Load').map((e) => e.id));
      at = batch.next;
      if ((!writing && seen.length >= ids.length) || Date.now() > deadline) return;
      if (batch.events.length === 0) await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 60; i++) {
        // Some appends hold their transaction open a moment, so commits land out of position order.
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const id = randomUUID();
          await new PostgresEventStore(c, { connectionString: url }).appendToStream(
            `load-${randomUUID()}`,
            [{ id, type: 'Load', data: { i } }],
            'no_stream',
          );
          if (i % 3 === 0) await new Promise((r) => setTimeout(r, Math.random() * 10));
          await c.query('COMMIT');
          ids.push(id);
        } finally {
          c.release();
        }
      }
    }),
  );
  writing = false;
  await reader;
  // Read on a little: a repeated event would show up here.
  await new Promise((r) => setTimeout(r, 100));
  seen.push(...(await drain(store, at)).events.filter((e) => e.type === 'Load').map((e) => e.id));
  t.equal(seen.length, ids.length, 'no event repeated or lost');
  t.same(new Set(seen), new Set(ids));
});

/**
 * Reads the feed to its head: past every committed event, even those an open
 * transaction elsewhere on the server (a parallel test) still hides for a moment.
 */
async function drain(store: PostgresEventStore, from: Checkpoint, toHead = true): Promise<{ events: RecordedEvent[]; next: Checkpoint }> {
  const events: RecordedEvent[] = [];
  let at = from;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const batch = await store.readAll({ from: at, limit: 100 });
    events.push(...batch.events);
    if (batch.next === at) {
      if (!toHead || (await store.countAfter(at, 1)) === 0 || Date.now() > deadline) return { events, next: at };
      await new Promise((r) => setTimeout(r, 10));
    }
    at = batch.next;
  }
}
