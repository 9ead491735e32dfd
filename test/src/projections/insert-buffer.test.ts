import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createPool } from '../../../src/db/pool.js';
import { InsertBuffer } from '../../../src/projections/insert-buffer.js';
import { testDatabase } from '../../helpers/database.js';

/**
 * The buffer over real PostgreSQL, as a projection uses it: inside a transaction, on a handle bound
 * to the build's schema. `seq` numbers rows in the order they reached the table.
 */
type Item = { id: string; seq?: number; label: string; status: 'live' | 'released' | 'ended' };
type ItemsDatabase = { items: Item };

/** One database for the file (the top-level test's), a schema per test. */
let url: Promise<string> | undefined;

async function setup(test: Test) {
  url ??= testDatabase(t);
  let statements = 0;
  const pool = createPool(await url, 2);
  const db = new Kysely<ItemsDatabase>({ dialect: new PostgresDialect({ pool }), log: () => void statements++ });
  test.teardown(() => db.destroy());
  const schema = `buffer_${randomBytes(4).toString('hex')}`;
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(db);
  const own = db.withSchema(schema);
  await own.schema
    .createTable('items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.generatedAlwaysAsIdentity())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .execute();
  return {
    db: own,
    /** Runs `work` in a transaction and answers how many statements it sent (BEGIN and COMMIT not counted). */
    counted: async (work: (trx: Kysely<ItemsDatabase>) => Promise<void>) => {
      let sent = 0;
      await own.transaction().execute(async (trx) => {
        const before = statements;
        await work(trx);
        sent = statements - before;
      });
      return sent;
    },
    items: () => own.selectFrom('items').select(['id', 'label', 'status']).orderBy('seq').execute(),
  };
}

const item = (id: string, label = id, status: Item['status'] = 'live'): Item => ({ id, label, status });

t.test('one statement per flush: rows keep their order, the first of a key wins, rows already there stay', async (t) => {
  const { db, counted, items } = await setup(t);
  await db.insertInto('items').values(item('b', 'already there')).execute();

  const sent = await counted(async (trx) => {
    const buffer = new InsertBuffer(trx, { items: { key: ['id'] } });
    for (const row of [item('c'), item('a', 'first a'), item('b', 'new b'), item('a', 'second a'), item('d')]) buffer.add('items', row);
    await buffer.flush();
    await buffer.flush();
  });

  t.equal(sent, 1, 'one multi-row insert; the second flush had nothing to send');
  t.strictSame(await items(), [item('b', 'already there'), item('c'), item('a', 'first a'), item('d')]);
});

t.test('replaceWhere: an existing row with those values takes the new one, other existing rows stay', async (t) => {
  const { db, counted, items } = await setup(t);
  await db
    .insertInto('items')
    .values([item('x', 'old x', 'released'), item('y', 'old y', 'ended')])
    .execute();

  const sent = await counted(async (trx) => {
    const buffer = new InsertBuffer(trx, { items: { key: ['id'], replaceWhere: { status: 'released' } } });
    for (const row of [item('x', 'new x'), item('y', 'new y'), item('z'), item('x', 'newer x')]) buffer.add('items', row);
    t.throws(() => buffer.add('items', item('w', 'w', 'released')), /would be replaced by a later one of its key/);
    await buffer.flush();
  });

  t.equal(sent, 1);
  t.strictSame(await items(), [item('x', 'new x'), item('y', 'old y', 'ended'), item('z')]);
});

t.test('a flush beyond the 65,535 parameters of one statement is split, in order, the first of a key still winning', async (t) => {
  const { counted, items } = await setup(t);
  const rows = Array.from({ length: 25_000 }, (_, i) => item(`i${String(i).padStart(5, '0')}`));

  const sent = await counted(async (trx) => {
    const buffer = new InsertBuffer(trx, { items: { key: ['id'] } });
    for (const row of rows) buffer.add('items', row);
    buffer.add('items', item('i00000', 'a repeat, in another statement than the first'));
    await buffer.flush();
  });

  t.ok(sent > 1, `split into ${sent} statements (75,000 parameters in all)`);
  const found = await items();
  t.equal(found.length, rows.length);
  t.ok(
    found.every((row, i) => row.id === rows[i]?.id && row.label === rows[i].label),
    'every row once, in the order added, the first of a key kept',
  );
});
