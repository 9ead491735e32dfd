import { sql, type Kysely } from 'kysely';

/**
 * Where a process that follows the event feed has got to (`process_checkpoints`,
 * e.g. earned levels after check-outs), and the one-time `state` of WeChat
 * sign-ins (`wechat_states`): WeChat's web authorization has no PKCE or nonce,
 * so the state alone ties the callback to the sign-in (or binding) that started
 * it, and it names the signed-in user when an account is being bound.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE process_checkpoints (
      name       text PRIMARY KEY,
      checkpoint text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE wechat_states (
      state      text PRIMARY KEY,
      bind_user  text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}
