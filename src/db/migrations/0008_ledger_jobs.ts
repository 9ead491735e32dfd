import { sql, type Kysely } from 'kysely';

/**
 * Accountants' background work (ledger replays, WeChat Pay statement reconciliations): one row per
 * request, which the job queue's worker fills in with its progress and result, so any instance
 * answers `GET /ledger/replays/:id` however the job ran.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ledger_jobs (
      id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('replay', 'reconciliation')),
      params jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
      progress real NOT NULL DEFAULT 0,
      result jsonb,
      csv text,
      requested_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX ledger_jobs_running ON ledger_jobs (updated_at) WHERE status = 'running'`.execute(db);
}
