import type { Kysely } from 'kysely';
import type { PlatformDatabase } from '../schema.js';
import { refreshAnalystViews } from '../analysts.js';

/**
 * The owner's report views (`analyst.revenue_room_hourly`, `party_spend`, `occupancy_room_hourly`):
 * on a database that already serves, they are built now rather than at the next rebuild of the
 * read models they read.
 */
export async function up(db: Kysely<PlatformDatabase>): Promise<void> {
  await refreshAnalystViews(db, ['journal_entries', 'journal_lines', 'occupancy_hourly']);
}
