import t from 'tap';
import pg from 'pg';
import { startTestService } from '../../helpers/service.js';

const { databaseUrl } = await startTestService(t);

t.test('the analyst role reads the rm views without personal data and nothing else', async (t) => {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  t.teardown(() => c.end());
  await c.query('SET ROLE ktv_analyst');
  for (const view of ['rooms', 'room_types', 'journal_lines', 'payments', 'revenue_daily']) {
    await t.resolves(c.query(`SELECT * FROM rm.${view} LIMIT 1`), `rm.${view} is readable`);
  }
  await t.rejects(c.query('SELECT * FROM rm.users LIMIT 1'), /permission denied/, 'users (personal data) only through analyst.users');
  await t.rejects(c.query('SELECT * FROM events LIMIT 1'), /permission denied/, 'the event store is not');
  await t.rejects(c.query('SELECT * FROM credentials LIMIT 1'), /permission denied/, 'nor are credentials');
  await t.rejects(c.query("DELETE FROM rm.rooms WHERE id = 'x'"), /permission denied/, 'and the views are read-only');
});
