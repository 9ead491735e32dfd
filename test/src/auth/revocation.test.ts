import t from 'tap';
import { sql } from 'kysely';
import { createKysely, createPool } from '../../../src/db/pool.js';
import { PostgresRevocationList } from '../../../src/auth/revocation.js';
import { testDatabase } from '../../helpers/database.js';

t.test('the single-node revocation list survives a restart and forgets what has expired', async (t) => {
  const pool = createPool(await testDatabase(t), 2);
  t.teardown(() => pool.end());
  const db = createKysely<any>(pool);
  const before = new PostgresRevocationList(db);
  t.equal(await before.reasonFor('s1'), null);
  await before.revoke('s1', 'logout', 600);
  await before.revoke('s2', 'evicted', 600);
  await before.revoke('s1', 'logout_all', 600);
  t.equal(await before.reasonFor('s1'), 'logout', 'the first reason stands');
  await sql`UPDATE revoked_sessions SET expires_at = now() - interval '1 second' WHERE session_id = 's2'`.execute(db);

  const restarted = new PostgresRevocationList(db);
  t.equal(await restarted.reasonFor('s1'), 'logout', 'a new process loads the list from the database');
  t.equal(await restarted.reasonFor('s2'), null, 'an expired entry is not loaded: its tokens have expired anyway');
  t.equal(await restarted.reasonFor('s3'), null);
});
