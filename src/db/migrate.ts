import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { PlatformDatabase } from './schema.js';
import * as eventStore from './migrations/0001_event_store.js';
import * as platform from './migrations/0002_platform.js';
import * as identity from './migrations/0003_identity.js';
import * as analystRole from './migrations/0004_analyst_role.js';
import * as dropRateLimits from './migrations/0005_drop_rate_limits.js';
import * as idempotencyHeaders from './migrations/0006_idempotency_headers.js';
import * as analytics from './migrations/0007_analytics.js';
import * as ledgerJobs from './migrations/0008_ledger_jobs.js';
import * as analystViews from './migrations/0009_analyst_views.js';
import * as passwordResets from './migrations/0010_password_resets.js';
import * as wechatAndProcesses from './migrations/0011_wechat_and_processes.js';
import * as webhooks from './migrations/0012_webhooks.js';
import * as notifications from './migrations/0013_notifications.js';
import * as ownerReportViews from './migrations/0014_owner_report_views.js';
import * as deployment from './migrations/0015_deployment.js';

/** Listed, not globbed: the compiled build and the tests see the same set in the same order. */
const migrations: Record<string, Migration> = {
  '0001_event_store': eventStore,
  '0002_platform': platform,
  '0003_identity': identity,
  '0004_analyst_role': analystRole,
  '0005_drop_rate_limits': dropRateLimits,
  '0006_idempotency_headers': idempotencyHeaders,
  '0007_analytics': analytics,
  '0008_ledger_jobs': ledgerJobs,
  '0009_analyst_views': analystViews,
  '0010_password_resets': passwordResets,
  '0011_wechat_and_processes': wechatAndProcesses,
  '0012_webhooks': webhooks,
  '0013_notifications': notifications,
  '0014_owner_report_views': ownerReportViews,
  '0015_deployment': deployment,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the database to the latest schema; concurrent callers are serialised by Kysely's lock table. */
export async function migrateToLatest(db: Kysely<PlatformDatabase>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}
