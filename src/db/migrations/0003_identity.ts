import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Password hashes stay out of events (they must be erasable); one row per user.
  await sql`
    CREATE TABLE credentials (
      user_id       text PRIMARY KEY,
      password_hash text NOT NULL,
      updated_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE revoked_sessions (
      session_id text PRIMARY KEY,
      reason     text NOT NULL,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  // One-time OAuth state (state -> nonce, PKCE verifier), consumed by the callback.
  await sql`
    CREATE TABLE oauth_states (
      state         text PRIMARY KEY,
      provider      text NOT NULL,
      nonce         text NOT NULL,
      code_verifier text NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE rate_limits (
      key        text PRIMARY KEY,
      hits       integer NOT NULL,
      reset_at   timestamptz NOT NULL
    )`.execute(db);
}
