import { sql, type Kysely } from 'kysely';

/**
 * Messages sent to guests through the notification port (src/notifications), one row per kind and
 * subject: what keeps a reminder from going out twice, from one instance or several.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE notifications_sent (
      kind text NOT NULL,
      ref text NOT NULL,
      provider text NOT NULL,
      sent_at timestamptz NOT NULL,
      PRIMARY KEY (kind, ref)
    )`.execute(db);
}
