import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per build of a read model; see src/projections/registry.ts.
  await sql`
    CREATE TABLE projection_generations (
      name         text NOT NULL,
      generation   integer NOT NULL,
      version      integer NOT NULL,
      schema_name  text NOT NULL UNIQUE,
      status       text NOT NULL CHECK (status IN ('building', 'active', 'retired')),
      checkpoint   text NOT NULL DEFAULT '',
      applied      bigint NOT NULL DEFAULT 0,
      created_at   timestamptz NOT NULL DEFAULT now(),
      updated_at   timestamptz NOT NULL DEFAULT now(),
      activated_at timestamptz,
      PRIMARY KEY (name, generation)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX projection_one_active ON projection_generations (name) WHERE status = 'active'`.execute(db);
  await sql`CREATE SCHEMA IF NOT EXISTS rm`.execute(db);
  await sql`COMMENT ON SCHEMA rm IS 'Read models: stable views over the active build of each projection'`.execute(db);

  await sql`
    CREATE TABLE idempotency_keys (
      scope          text NOT NULL,
      key            text NOT NULL,
      request_hash   text NOT NULL,
      status         text NOT NULL CHECK (status IN ('pending', 'done')),
      response_code  integer,
      response_body  text,
      response_type  text,
      created_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    )`.execute(db);
  await sql`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`.execute(db);
}
