import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startTestService } from '../../helpers/service.js';
import { testDatabase } from '../../helpers/database.js';
import { readModelSnapshot } from '../../helpers/read-models.js';
import { call } from '../../helpers/http.js';
import { until } from '../../helpers/until.js';
import { generateHistory } from '../../../src/root/demo/history.js';
import { PostgresEventStore } from '../../../src/eventstore/postgres.js';
import { START, type Checkpoint, type EventStore } from '../../../src/eventstore/port.js';
import { readModelsOf } from '../../../projections/read-models.js';
import { entriesIn, toCsv, trialBalance } from '../../../queries/ledger.js';

/**
 * `npm run cli -- backup FILE`, then `restore FILE` into an empty database: the
 * restored feed is the same events in the same order, the rebuilt read models and
 * the ledger equal the original's, and the accounts can sign in again.
 */
const onPath = (tool: string) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => existsSync(path.join(dir, tool)));
if (!onPath('pg_dump') || !onPath('pg_restore')) {
  t.plan(0, 'pg_dump and pg_restore are not on PATH (Debian: postgresql-client)');
  process.exit(0);
}
const root = path.resolve(import.meta.dirname, '../../..');
const dir = await mkdtemp(path.join(os.tmpdir(), 'ktv-backup-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

const cli = (databaseUrl: string, args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/root/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dir, LOG_LEVEL: 'warn', REDIS_URL: '', EVENTSTORE_URL: '' },
  });

const wait = { timeoutMs: 30_000, intervalMs: 100 };

async function feed(store: EventStore): Promise<string[]> {
  const ids: string[] = [];
  for (let at: Checkpoint = START; ;) {
    const batch = await store.readAll({ from: at, limit: 5000 });
    if (batch.next === at) return ids;
    ids.push(...batch.events.map((e) => e.id));
    at = batch.next;
  }
}

t.test('backup, restore into an empty database, rebuild: the same events, read models and ledger', async (t) => {
  const source = await startTestService(t);
  const report = await generateHistory(source.platform, { days: 4, guests: 8, seed: 5 });
  t.ok(report, 'a few days of history played');

  // Two appends committing out of order: the one that took its transaction id first draws the later position.
  const early = new pg.Client({ connectionString: source.databaseUrl });
  await early.connect();
  t.teardown(() => early.end());
  await early.query('BEGIN');
  await early.query('SELECT pg_current_xact_id()');
  await source.platform.store.appendToStream(`note-${randomUUID()}`, [{ id: randomUUID(), type: 'Noted', data: { n: 1 } }], 'no_stream');
  await new PostgresEventStore(early, {}).appendToStream(
    `note-${randomUUID()}`,
    [{ id: randomUUID(), type: 'Noted', data: { n: 2 } }],
    'no_stream',
  );
  await early.query('COMMIT');
  await source.runner.catchUp();
  const noted = (await source.platform.store.readAll({ from: START, limit: 100_000, types: ['Noted'] })).events;
  t.same(
    noted.map((e) => [(e.data as { n: number }).n, e.globalPosition < noted[0]!.globalPosition]),
    [
      [2, false],
      [1, true],
    ],
    'the feed gives the later position first',
  );

  const file = path.join(dir, 'ktv.backup');
  const backedUp = await cli(source.databaseUrl, ['backup', file]);
  t.match(backedUp.stdout, /backed up to/);
  t.ok((await stat(file)).size > 0, 'the backup file');

  const targetUrl = await testDatabase(t);
  const restored = await cli(targetUrl, ['restore', file, '--progress']);
  t.match(restored.stdout, /restored \d+ events/);
  t.match(
    restored.stderr,
    /rebuilding ledger: [\d,]+ of [\d,]+ events, 100 %, [\d,]+ events\/s, 0 s left/,
    'progress on stderr when asked',
  );

  const target = await startTestService(t, { databaseUrl: targetUrl });
  // Both feeds in full: each shows an event once every older transaction of the server has ended.
  const sourceFeed = await until(async () => {
    const f = await feed(source.platform.store);
    return f.length === (await source.platform.store.countAfter(START, 1_000_000)) ? f : null;
  }, wait);
  const restoredFeed = await until(async () => {
    const f = await feed(target.platform.store);
    return f.length === sourceFeed?.length ? f : null;
  }, wait);
  t.same(restoredFeed, sourceFeed, 'the same feed, in the same order');
  t.same(await readModelSnapshot(target.platform.db), await readModelSnapshot(source.platform.db), 'every read model equal');
  const [from, to] = ['2000-01-01', '2100-12-31'];
  const [sourceRm, targetRm] = [readModelsOf(source.platform.pool), readModelsOf(target.platform.pool)];
  const ledger = toCsv(await entriesIn(sourceRm, from, to));
  t.ok(ledger.split('\n').length > 20, 'a ledger with lines');
  t.equal(toCsv(await entriesIn(targetRm, from, to)), ledger, 'the same journal, line for line');
  t.same(await trialBalance(targetRm, to), await trialBalance(sourceRm, to), 'the same trial balance');

  const signIn = await call(target.app, {
    method: 'POST',
    url: '/auth/login',
    payload: { email: 'guest@demo.ktv', password: 'demo-password-1' },
  });
  t.equal(signIn.status, 200, 'accounts sign in on the restored database');

  // What is appended after the restore comes after everything restored.
  const next = randomUUID();
  await target.platform.store.appendToStream(`note-${randomUUID()}`, [{ id: next, type: 'Noted', data: { n: 3 } }], 'no_stream');
  // The feed shows it once every older transaction of the server has ended (other tests' too).
  const now = await until(async () => {
    const f = await feed(target.platform.store);
    return f.includes(next) ? f : null;
  }, wait);
  t.same(now?.slice(0, restoredFeed?.length), restoredFeed, 'the restored feed stays as it was');
  t.ok((now?.indexOf(next) ?? -1) >= (restoredFeed?.length ?? Infinity), 'and a new append comes after all of it');

  const again = await cli(targetUrl, ['restore', file]).catch((err: { code: number; stderr: string }) => err);
  t.not((again as { code?: number }).code ?? 0, 0, 'a second restore is refused');
  t.match((again as { stderr: string }).stderr, /already holds events/);
});
