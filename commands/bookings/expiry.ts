import { sql } from 'kysely';
import type { Platform } from '../../src/platform.js';
import { expireHold } from './process.js';

export const HOLD_EXPIRY = 'hold-expiry';

/**
 * Holds past their expiry that the read model still shows as held. Run at
 * start-up and periodically, so a crash (or a lost timer) never leaves a hold
 * alive for long; the decision itself is made on the booking's stream.
 */
export async function sweepExpiredHolds(platform: Platform): Promise<void> {
  const { rows } = await sql<{ booking_id: string }>`
    SELECT booking_id FROM rm.bookings WHERE status = 'held' AND hold_expires_at <= now() ORDER BY hold_expires_at LIMIT 500`.execute(platform.db);
  for (const r of rows) await expireHold(platform, r.booking_id);
}

export const bookingJobs = (platform: Platform) => ({
  handlers: { [HOLD_EXPIRY]: async (id: string) => void (await expireHold(platform, id)) },
  sweeps: [() => sweepExpiredHolds(platform)],
});
