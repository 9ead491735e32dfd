import t from 'tap';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { startTestService } from '../../helpers/service.js';
import { recordPastStay } from '../../helpers/past-stays.js';
import { signUp } from '../../helpers/auth.js';
import { grantAnalyst } from '../../../src/db/analysts.js';
import * as analystViews from '../../../src/db/migrations/0009_analyst_views.js';
import * as ownerReportViews from '../../../src/db/migrations/0014_owner_report_views.js';
import { recordAnalytics } from '../../../src/analytics/events.js';
import { bookingStream } from '../../../src/events/bookings.js';

/**
 * An analyst as they will work: a login role made by `analysts grant`, connected with its own
 * password, reading the documented views. It can read no e-mail, phone, name given at the desk,
 * IP address or sign-in detail anywhere, and every example query of docs/READ_MODELS.md runs.
 */
const { app, platform, runner, databaseUrl } = await startTestService(t);
const guest = await signUp(app, platform.store, 'guest');
const stay = await recordPastStay(platform.store, {
  roomId: 'room-1',
  roomTypeId: 'small',
  businessDate: '2026-10-03',
  start: new Date('2026-10-03T20:00:00+08:00'),
  hours: 2,
  guestId: guest.userId,
});
await platform.store.appendToStream(
  bookingStream(stay),
  [{ id: randomUUID(), type: 'BookingCheckedIn', data: { bookingId: stay, by: 'waiter', at: '2026-10-03T20:00:00+08:00' } }],
  'any',
);
await recordAnalytics(platform.db, [{ kind: 'search', at: new Date(), userId: guest.userId, props: { rooms: 3 } }]);
await runner.catchUp();

const name = `analyst_${randomUUID().slice(0, 8)}`;
const password = await grantAnalyst(platform.db, name);
t.teardown(() => sql`DROP ROLE IF EXISTS ${sql.id(name)}`.execute(platform.db));
const url = new URL(databaseUrl);
url.username = name;
url.password = password;
const analyst = new pg.Client({ connectionString: url.toString() });
await analyst.connect();
t.teardown(() => analyst.end());

const PERSONAL = ['email', 'phone', 'ip', 'name', 'guest_name', 'guest_phone', 'detail'];

t.test('the granted role is a login role in ktv_analyst', async (t) => {
  const { rows } = await analyst.query<{ user: string; member: boolean }>(
    "SELECT current_user AS user, pg_has_role(current_user, 'ktv_analyst', 'MEMBER') AS member",
  );
  t.same(rows, [{ user: name, member: true }]);
  await t.rejects(grantAnalyst(platform.db, 'Robert"; DROP TABLE events; --'), /not a usable role name/);
});

t.test('npm run cli -- analysts grant NAME prints the password once, and it signs in', async (t) => {
  const cliName = `analyst_${randomUUID().slice(0, 8)}`;
  t.teardown(() => sql`DROP ROLE IF EXISTS ${sql.id(cliName)}`.execute(platform.db));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ktv-analyst-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const run = (name: string) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/root/cli.ts', 'analysts', 'grant', name], {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dir, LOG_LEVEL: 'silent' },
    });
  const { stdout } = await run(cliName);
  const printed = /its password \(shown this once\): (\S+)/.exec(stdout)?.[1];
  t.ok(printed, stdout);
  const login = new URL(databaseUrl);
  login.username = cliName;
  login.password = printed ?? '';
  const client = new pg.Client({ connectionString: login.toString() });
  await client.connect();
  t.same((await client.query('SELECT count(*)::int AS n FROM analyst.users')).rows, [{ n: 1 }]);
  await client.end();
  t.equal(((await run('Not A Name').catch((e: { code: number }) => e)) as { code: number }).code, 2, 'a bad name prints the usage');
});

t.test('no column the analyst can read holds personal data', async (t) => {
  const { rows } = await analyst.query<{ relation: string; column_name: string }>(`
    SELECT c.table_schema || '.' || c.table_name AS relation, c.column_name
    FROM information_schema.columns c
    WHERE c.table_schema IN ('rm', 'analyst', 'public')
      AND has_column_privilege(current_user, format('%I.%I', c.table_schema, c.table_name), c.column_name, 'SELECT')`);
  const readable = new Set(rows.map((r) => r.relation));
  t.ok(
    readable.has('analyst.users') && readable.has('analyst.bookings') && readable.has('rm.journal_lines'),
    'the documented views are readable',
  );
  t.same(
    rows.filter(
      (r) =>
        PERSONAL.includes(r.column_name) &&
        !['rm.rooms', 'rm.room_types', 'rm.products', 'rm.experiments', 'rm.board_rooms'].includes(r.relation),
    ),
    [],
    'no personal column (room, product and experiment names aside)',
  );
  for (const query of [
    'SELECT email FROM rm.users',
    'SELECT ip FROM rm.sessions',
    'SELECT guest_phone FROM rm.bookings',
    'SELECT detail FROM rm.auth_audit',
  ]) {
    await t.rejects(analyst.query(query), /permission denied/, query);
  }
  await t.rejects(analyst.query('SELECT * FROM credentials'), /permission denied/);
});

t.test('a rebuilt projection keeps its private views private and the analyst views in place', async (t) => {
  await runner.rebuild('users');
  await runner.rebuild('bookings');
  await t.rejects(analyst.query('SELECT email FROM rm.users'), /permission denied/);
  const { rows } = await analyst.query('SELECT id, email_domain FROM analyst.users WHERE id = $1', [guest.userId]);
  t.same(rows, [{ id: guest.userId, email_domain: 'test.ktv' }]);
  t.equal((await analyst.query('SELECT * FROM analyst.cohorts')).rowCount, 1);
});

t.test('on a database that served before the migration, the private views are taken back at once', async (t) => {
  await sql`GRANT SELECT ON rm.users, rm.sessions TO ktv_analyst`.execute(platform.db);
  await sql`DROP VIEW analyst.users`.execute(platform.db);
  await analystViews.up(platform.db);
  await t.rejects(analyst.query('SELECT email FROM rm.users'), /permission denied/);
  await t.rejects(analyst.query('SELECT ip FROM rm.sessions'), /permission denied/);
  t.equal((await analyst.query('SELECT * FROM analyst.users')).rowCount, 1, 'and the analyst views are there');
});

t.test("on a database that served before them, the owner's report views are built at once", async (t) => {
  for (const view of ['revenue_room_hourly', 'party_spend', 'occupancy_room_hourly'])
    await sql`DROP VIEW ${sql.id('analyst', view)}`.execute(platform.db);
  await ownerReportViews.up(platform.db);
  // The past stay was never checked out and holds no room time: the views are there, and empty.
  for (const view of ['revenue_room_hourly', 'party_spend', 'occupancy_room_hourly'])
    t.equal((await analyst.query(`SELECT * FROM analyst.${view}`)).rowCount, 0, `analyst.${view} reads`);
});

t.test('the funnel and cohorts count what happened', async (t) => {
  const funnel = await analyst.query(
    'SELECT sum(searched)::int AS searched, sum(quoted)::int AS quoted, sum(held)::int AS held FROM analyst.funnel_daily',
  );
  t.same(funnel.rows, [{ searched: 1, quoted: 1, held: 1 }]);
  const cohorts = await analyst.query('SELECT cohort_month::text, months_since, cohort_guests, return_rate::float8 FROM analyst.cohorts');
  t.same(cohorts.rows, [{ cohort_month: '2026-10-01', months_since: 0, cohort_guests: 1, return_rate: 1 }]);
});

t.test('every example query in docs/READ_MODELS.md runs as the analyst', async (t) => {
  const doc = await readFile(new URL('../../../docs/READ_MODELS.md', import.meta.url), 'utf8');
  const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const statements = blocks.flatMap((b) =>
    b
      .split(/;\s*\n/)
      .map((s) => s.replace(/^--.*$/gm, '').trim())
      .filter((s) => s.length > 0),
  );
  t.ok(statements.length >= 20, `${statements.length} example queries`);
  for (const statement of statements) await t.resolves(analyst.query(statement), statement.split('\n')[0]!);
});
