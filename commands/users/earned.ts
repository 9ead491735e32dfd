import { sql, type Kysely } from 'kysely';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { Clock } from '../../src/clock.js';
import { load } from '../../src/eventstore/decide.js';
import { START, type Checkpoint, type EventStore } from '../../src/eventstore/port.js';
import { bookingStream, type BookingEvent } from '../../src/events/bookings.js';
import { bookingDecider } from '../bookings/decider.js';
import { recordSpend, reviewLevel } from './levels.js';

const PROCESS = 'member-levels';
const REVIEW = 'member-levels-review';
const BATCH = 1000;

type CheckedOut = Extract<BookingEvent, { type: 'BookingCheckedOut' }>;

/**
 * Follows check-outs in the event feed and records each member's spend (the
 * bill's total) on their `memberspend-<id>` stream, then reviews their level.
 * The check-out command knows nothing of levels; this process catches up from
 * its own checkpoint, so a crash repeats steps that are idempotent (a booking's
 * spend is recorded once) and several instances running it at once agree.
 * Returns how many check-outs it looked at.
 */
export async function followCheckOuts(ctx: Readonly<{ store: EventStore; db: Kysely<PlatformDatabase>; clock: Clock }>): Promise<number> {
  await ctx.db
    .insertInto('process_checkpoints')
    .values({ name: PROCESS, checkpoint: START })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  let seen = 0;
  for (;;) {
    const row = await ctx.db.selectFrom('process_checkpoints').select('checkpoint').where('name', '=', PROCESS).executeTakeFirstOrThrow();
    const from = row.checkpoint as Checkpoint;
    const { events, next } = await ctx.store.readAll({ from, limit: BATCH, types: ['BookingCheckedOut'] });
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as CheckedOut;
      const { state: booking } = await load(ctx.store, bookingStream(e.data.bookingId), bookingDecider);
      if (booking.status === 'none' || !booking.guestId) continue; // walk-ins have no member
      await recordSpend(
        ctx.store,
        { userId: booking.guestId, bookingId: booking.id, amount: e.data.bill.total, at: new Date(e.data.at) },
        ctx.clock(),
        { actor: 'system', causationId: recorded.id },
      );
    }
    seen += events.length;
    if (next === from) return seen;
    // Another instance that moved it first has done the same work: either way, read on from where it now is.
    await ctx.db
      .updateTable('process_checkpoints')
      .set({ checkpoint: next, updated_at: ctx.clock() })
      .where('name', '=', PROCESS)
      .where('checkpoint', '=', from)
      .execute();
  }
}

type EarnedContext = Parameters<typeof followCheckOuts>[0];

/**
 * Once a day, reviews every member above regular: spend that has left the
 * rolling period (or raised thresholds) can take a level away without a visit.
 * The read model only says whom to look at; each level is decided on the
 * member's streams. The day is claimed on `process_checkpoints`, so with several
 * instances one of them reviews it. Returns how many members it reviewed, or
 * null when today's review was already done.
 */
export async function reviewLevels(ctx: EarnedContext): Promise<number | null> {
  const now = ctx.clock();
  const today = now.toISOString().slice(0, 10);
  await ctx.db
    .insertInto('process_checkpoints')
    .values({ name: REVIEW, checkpoint: '' })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const claimed = await ctx.db
    .updateTable('process_checkpoints')
    .set({ checkpoint: today, updated_at: now })
    .where('name', '=', REVIEW)
    .where('checkpoint', '<', today)
    .executeTakeFirst();
  if (claimed.numUpdatedRows === 0n) return null;
  const { rows } = await sql<{ id: string }>`SELECT id FROM rm.users WHERE membership_level <> 'regular'`.execute(ctx.db);
  for (const { id } of rows) await reviewLevel(ctx.store, id, now, { actor: 'system', causationId: `${REVIEW}:${today}` });
  return rows.length;
}

/** Run with the other sweeps (every 30 s): levels follow check-outs within a sweep, and lapse by the daily review. */
export const memberLevelJobs = (ctx: EarnedContext) => ({
  handlers: {} as Record<string, (id: string) => Promise<void>>,
  sweeps: [async () => void (await followCheckOuts(ctx)), async () => void (await reviewLevels(ctx))],
});
