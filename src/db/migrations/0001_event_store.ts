import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE streams (
      stream_id   text PRIMARY KEY,
      stream_type text NOT NULL,
      version     bigint NOT NULL CHECK (version > 0),
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE events (
      global_position bigint GENERATED ALWAYS AS IDENTITY,
      stream_id       text NOT NULL,
      stream_version  bigint NOT NULL,
      event_id        uuid NOT NULL UNIQUE,
      event_type      text NOT NULL,
      schema_version  integer NOT NULL DEFAULT 1,
      data            jsonb NOT NULL,
      metadata        jsonb NOT NULL DEFAULT '{}',
      created_at      timestamptz NOT NULL DEFAULT now(),
      transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
      PRIMARY KEY (stream_id, stream_version)
    )`.execute(db);
  // The feed order; subscribers read it below the oldest running transaction.
  await sql`CREATE UNIQUE INDEX events_feed ON events (transaction_id, global_position)`.execute(db);
  await sql`CREATE UNIQUE INDEX events_global_position ON events (global_position)`.execute(db);
}
