import { sql, type QueryExecutorProvider } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { bookingDecider, type Booking } from './decider.js';
import { releaseRoomTime } from './release.js';
import { endGuestHold } from './guest-holds.js';

export const HOLD_EXPIRY = 'hold-expiry';

/** What settlement does for an expired hold: gives back the parts of its deposit paid so far. Run again, it gives nothing more. */
export type AfterExpiry = (booking: Booking, metadata: EventMetadata) => Promise<void>;

type ExpiryContext = Readonly<{ store: EventStore; clock: Clock; db: QueryExecutorProvider; afterExpiry?: AfterExpiry }>;

/**
 * Ends a hold whose time ran out, releases its room time and hands it to `afterExpiry`. Idempotent:
 * the job, the sweep and a retry may all run it, and each finishes what a crash left undone.
 */
export async function expireHold(ctx: Pick<ExpiryContext, 'store' | 'clock' | 'afterExpiry'>, bookingId: string): Promise<boolean> {
  const now = ctx.clock();
  const metadata = { actor: 'system', causationId: `expire:${bookingId}` };
  const { state, events } = await handle(
    ctx.store,
    bookingStream(bookingId),
    bookingDecider,
    { type: 'Expire', now, by: 'system' },
    metadata,
  );
  if (state.status !== 'expired') return false;
  await releaseRoomTime(ctx.store, state, 'expired', metadata, now);
  await endGuestHold(ctx.store, state, 'expired', metadata, now);
  await ctx.afterExpiry?.(state, metadata);
  return events.length > 0;
}

/**
 * Holds past their expiry that the read model still shows as held. Run at
 * start-up and periodically, so a crash (or a lost timer) never leaves a hold
 * alive for long; the decision itself is made on the booking's stream.
 */
async function sweepExpiredHolds(ctx: ExpiryContext): Promise<void> {
  const { rows } = await sql<{ booking_id: string }>`
    SELECT booking_id FROM rm.bookings WHERE status = 'held' AND hold_expires_at <= now() ORDER BY hold_expires_at LIMIT 500`.execute(
    ctx.db,
  );
  for (const r of rows) await expireHold(ctx, r.booking_id);
}

export const bookingJobs = (ctx: ExpiryContext) => ({
  handlers: { [HOLD_EXPIRY]: async (id: string) => void (await expireHold(ctx, id)) },
  sweeps: [() => sweepExpiredHolds(ctx)],
});
