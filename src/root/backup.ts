import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import type { Platform } from '../platform.js';

/**
 * Tables of the `public` schema that are not backed up: the read models' registry
 * (read models are rebuilt from the events, in schemas of their own that are not
 * dumped either), the migrator's bookkeeping (the restoring code migrates), and
 * sign-in attempts in flight. Everything else there (the events and streams,
 * credentials, idempotency keys, revoked sessions, analytics) is kept, so a table
 * a later migration adds is kept too unless it is named here.
 */
const NOT_BACKED_UP = ['projection_generations', 'kysely_migration', 'kysely_migration_lock', 'oauth_states', 'deployment'];

export class BackupError extends Error {
  override name = 'BackupError';
}

/** Runs a PostgreSQL client tool from PATH; its own message when it fails. */
function run(tool: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(new BackupError(err.code === 'ENOENT' ? `${tool} is not on PATH (install the PostgreSQL client tools)` : err.message)),
    );
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new BackupError(`${tool} failed (${code}):\n${stderr.trim()}`))));
  });
}

function requirePostgresEvents(platform: Platform): void {
  if (platform.store.kind !== 'postgres') {
    throw new BackupError(
      'the events live in EventStoreDB: back them up with its own tools; this command covers the PostgreSQL event store',
    );
  }
}

/** Writes everything that cannot be derived from the events, the events included, to `file` (pg_dump's custom format). */
export async function backup(platform: Platform, file: string): Promise<void> {
  requirePostgresEvents(platform);
  await run('pg_dump', [
    '--format=custom',
    '--data-only',
    '--schema=public',
    ...NOT_BACKED_UP.map((table) => `--exclude-table=public.${table}`),
    `--file=${file}`,
    `--dbname=${platform.databaseUrl}`,
  ]);
}

/**
 * Loads a backup into this platform's database, which must hold no events yet
 * (it is migrated when the platform opens). The rows arrive in one transaction.
 * Read models are not touched: the caller rebuilds them.
 */
export async function restore(platform: Platform, file: string): Promise<{ events: number }> {
  requirePostgresEvents(platform);
  const { rows } = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM events) AS any`.execute(platform.db);
  if (rows[0]?.any) throw new BackupError('this database already holds events: restore into an empty one');
  await run('pg_restore', ['--data-only', '--single-transaction', '--exit-on-error', `--dbname=${platform.databaseUrl}`, file]);
  return { events: await restampTransactions(platform) };
}

/**
 * Readers take the feed in (transaction id, position) order and only below the
 * oldest running transaction. Restored rows carry the transaction ids of the old
 * server, which may lie far ahead of this one's: the feed would hide them, and new
 * appends would sort before them. So each restored row gets a transaction id of
 * this server, in the original order: rows go in runs whose positions rise in that
 * order, and each run is stamped by a transaction of its own, one after another.
 * An ordinary feed is one run; each append that committed out of order adds one.
 */
async function restampTransactions(platform: Platform): Promise<number> {
  const client = await platform.pool.connect();
  try {
    await client.query(`
      CREATE TEMPORARY TABLE restored_runs AS
      SELECT global_position, count(*) FILTER (WHERE global_position < before) OVER (ORDER BY transaction_id, global_position) AS run
      FROM (SELECT global_position, transaction_id,
                   max(global_position) OVER (ORDER BY transaction_id, global_position ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
            FROM events) ordered`);
    const { rows } = await client.query<{ runs: string | null; events: string }>(
      'SELECT max(run)::text AS runs, count(*)::text AS events FROM restored_runs',
    );
    const runs = rows[0]?.runs === null || rows[0]?.runs === undefined ? -1 : Number(rows[0].runs);
    for (let run = 0; run <= runs; run++) {
      // Each statement commits on its own: the next run gets a later transaction id.
      await client.query(
        `UPDATE events e SET transaction_id = pg_current_xact_id()
         FROM restored_runs r WHERE r.global_position = e.global_position AND r.run = $1`,
        [run],
      );
    }
    await client.query('DROP TABLE restored_runs');
    return Number(rows[0]?.events ?? 0);
  } finally {
    client.release();
  }
}
