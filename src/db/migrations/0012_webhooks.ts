import { sql, type Kysely } from 'kysely';

/**
 * Outbound webhooks: the subscriptions admins manage (each with its signing secret) and the
 * delivery log, one row per subscription and event (unique, so an event is never queued twice
 * for one subscriber), with its attempts and last answer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE webhook_subscriptions (
      id uuid PRIMARY KEY,
      url text NOT NULL,
      secret text NOT NULL,
      event_types text[] NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id),
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      last_status integer,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL,
      UNIQUE (subscription_id, event_id)
    )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, created_at DESC)`.execute(db);
}
