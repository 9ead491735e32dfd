import { sql, type Kysely } from 'kysely';

/**
 * This database's identity: every instance over it reads the same id, however its URL spells the
 * server, so their Redis channels and cached answers meet, and deployments on other databases
 * sharing one Redis stay apart. Not backed up: a restored database is a deployment of its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE deployment (
      only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      id uuid NOT NULL DEFAULT gen_random_uuid()
    )`.execute(db);
  await sql`INSERT INTO deployment DEFAULT VALUES`.execute(db);
}
