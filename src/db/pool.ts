import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';

// bigint columns come back as strings unless told otherwise; counts and money fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** A session that sits idle inside a transaction would hold back the event feed's horizon. */
const SESSION_OPTIONS = '-c idle_in_transaction_session_timeout=30000 -c lock_timeout=10000';

export function createPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, options: SESSION_OPTIONS });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a checked-out one: between its statements (inside a transaction, say) the pool does not listen
  // for its errors, and a terminated session would emit one nobody handles. The statement under way, or the
  // next one, fails instead, and the pool discards the client when it comes back unqueryable.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export function createKysely<DB>(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
