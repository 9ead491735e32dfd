import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Test } from 'tap';
import { loadConfig } from '../../src/config.js';
import { createKysely, createPool } from '../../src/db/pool.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { PlatformDatabase } from '../../src/db/schema.js';

/** The server tests run on: DATABASE_URL, else the local PostgreSQL. */
export const serverUrl = loadConfig(process.env).databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated database of the test's own, dropped when the test ends. */
export async function testDatabase(t: Test): Promise<string> {
  const name = `ktv_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const pool = createPool(url.toString(), 2);
  await migrateToLatest(createKysely<PlatformDatabase>(pool));
  await pool.end();
  return url.toString();
}
