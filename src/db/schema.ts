import type { ColumnType, Generated } from 'kysely';

/**
 * The platform's own tables in the `public` schema (migrations in src/db/migrations).
 * Read models live elsewhere: each projection declares its tables, and
 * projections/read-models.ts joins them into the `rm` schema's type.
 */
export interface PlatformDatabase {
  projection_generations: {
    name: string;
    generation: number;
    version: number;
    schema_name: string;
    status: 'building' | 'active' | 'retired';
    checkpoint: Generated<string>;
    applied: Generated<number>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    activated_at: Date | null;
  };
  idempotency_keys: {
    scope: string;
    key: string;
    request_hash: string;
    status: 'pending' | 'done';
    response_code: number | null;
    response_body: string | null;
    response_type: string | null;
    response_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
    created_at: Generated<Date>;
  };
  credentials: { user_id: string; password_hash: string; updated_at: Generated<Date> };
  revoked_sessions: { session_id: string; reason: string; expires_at: Date };
  oauth_states: { state: string; provider: string; nonce: string; code_verifier: string; created_at: Generated<Date> };
  /** One-time password reset tokens, by their SHA-256 (migration 0012). */
  password_resets: { token_hash: string; user_id: string; expires_at: Date; created_at: Generated<Date> };
  /** How far a process following the event feed has got (migration 0013). */
  process_checkpoints: { name: string; checkpoint: string; updated_at: Generated<Date> };
  /** One-time WeChat sign-in states; `bind_user` when a signed-in user is binding WeChat (migration 0013). */
  wechat_states: { state: string; bind_user: string | null; created_at: Generated<Date> };
  /** Behaviour that is not a business fact, kept for a retention period (src/analytics/events.ts). */
  analytics_events: {
    id: Generated<number>;
    kind: 'search' | 'impression' | 'click' | 'exposure' | 'conversion';
    occurred_at: Date;
    user_id: string | null;
    experiment_id: string | null;
    arm: string | null;
    item: string | null;
    props: Generated<unknown>;
  };
  /** The recommender's item similarities, rebuilt nightly (queries/recommendations/build.ts); the newest row serves. */
  recommender_models: { id: Generated<number>; built_at: Date; model: unknown };
  /** Outbound webhooks (src/webhooks): who is told, and every delivery with its attempts. */
  webhook_subscriptions: {
    id: string;
    url: string;
    secret: string;
    event_types: string[];
    active: Generated<boolean>;
    created_by: string;
    created_at: Date;
  };
  /** Messages sent to guests (src/notifications), so none goes out twice. */
  notifications_sent: { kind: string; ref: string; provider: string; sent_at: Date };
  /** This database's identity (one row), see migration 0015. */
  deployment: { only_row: Generated<boolean>; id: Generated<string> };
  webhook_deliveries: {
    id: string;
    subscription_id: string;
    event_id: string;
    event_type: string;
    payload: unknown;
    status: 'pending' | 'delivered' | 'failed';
    attempts: Generated<number>;
    next_attempt_at: Date;
    last_status: number | null;
    last_error: string | null;
    delivered_at: Date | null;
    created_at: Date;
  };
  /** Ledger replays and statement reconciliations run as jobs, with their progress and result (queries/ledger-jobs.ts). */
  ledger_jobs: {
    id: string;
    kind: 'replay' | 'reconciliation';
    params: ColumnType<unknown, string, string>;
    status: 'running' | 'done' | 'failed';
    progress: Generated<number>;
    result: ColumnType<unknown, string | null, string | null>;
    csv: string | null;
    requested_by: string;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
}
