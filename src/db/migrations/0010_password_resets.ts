import { sql, type Kysely } from 'kysely';

/**
 * One-time password reset tokens an admin hands over. Only the token's SHA-256
 * is kept (a leaked table resets nothing); a token is consumed by deleting its
 * row, so it works once, and it stops working at `expires_at`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE password_resets (
      token_hash text PRIMARY KEY,
      user_id    text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX password_resets_by_user ON password_resets (user_id)`.execute(db);
}
