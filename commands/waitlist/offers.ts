import { sql, type QueryExecutorProvider } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import type { News } from '../../src/infra/news.js';
import { tellGuest } from '../../src/infra/guest-news.js';
import { handle } from '../../src/eventstore/decide.js';
import { waitlistStream } from '../../src/events/bookings.js';
import { AppError } from '../../src/errors.js';
import { holdBooking } from '../bookings/hold.js';
import { HOLD_EXPIRY } from '../bookings/expiry.js';
import { levelOf } from '../bookings/context.js';
import { waitlistDecider } from './decider.js';
import { addMinutes } from '../../src/clock.js';
import { overlapsSql, stillCountsSql } from '../../domain/rooms/occupancy.js';

type OfferContext = Readonly<{ store: EventStore; clock: Clock; jobs: JobQueue; db: QueryExecutorProvider; news: News }>;

type Waiting = {
  entry_id: string;
  guest_id: string;
  start_at: Date;
  duration_minutes: number;
  party_size: number;
  room_type_id: string | null;
};

const SYSTEM = { userId: 'system', staff: true } as const;

/**
 * Offers freed rooms to waiting guests, first come first served: for each
 * waiting entry in the order guests joined, every room in service that fits is
 * tried with the very hold a guest would make, in the guest's name and with the
 * entry's id as the booking id. Room time is decided on the room-day streams as
 * always, so an offer can never take a room someone else holds; a hold refused
 * (taken, or the guest at the hold limit) leaves the entry waiting. A crash
 * between the hold and the offer is resumed by the next run: the hold is then a
 * retried step of the same booking.
 */
export async function offerWaitingGuests(ctx: OfferContext): Promise<number> {
  const now = ctx.clock();
  const { rows: waiting } = await sql<Waiting>`
    SELECT entry_id, guest_id, start_at, duration_minutes, party_size, room_type_id FROM rm.waitlist_entries
     WHERE status = 'waiting' AND start_at > ${now} ORDER BY joined_position LIMIT 200`.execute(ctx.db);
  let offered = 0;
  for (const w of waiting) {
    // Candidates: rooms that fit and look free in the read model; the hold itself decides on the room-day stream.
    const end = addMinutes(w.start_at, w.duration_minutes);
    const { rows: rooms } = await sql<{ id: string }>`
      SELECT r.id FROM rm.rooms r JOIN rm.room_types t ON t.id = r.room_type_id
       WHERE r.status = 'in_service' AND r.capacity >= ${w.party_size}
         AND (${w.room_type_id}::text IS NULL OR r.room_type_id = ${w.room_type_id})
         AND NOT EXISTS (
           SELECT 1 FROM rm.room_reservations x
            WHERE x.room_id = r.id AND ${stillCountsSql('x')}
              AND ${overlapsSql('x', w.start_at, sql`${end}::timestamptz + make_interval(mins => t.cleaning_buffer_minutes)`)})
       ORDER BY r.capacity, r.name`.execute(ctx.db);
    for (const room of rooms) {
      if (await offerRoom(ctx, w, room.id, now)) {
        offered++;
        break;
      }
    }
  }
  return offered;
}

async function offerRoom(ctx: OfferContext, w: Waiting, roomId: string, now: Date): Promise<boolean> {
  const metadata = { actor: 'system', causationId: `waitlist:${w.entry_id}` };
  const input = {
    roomId,
    start: w.start_at,
    durationMinutes: w.duration_minutes,
    partySize: w.party_size,
    guestId: w.guest_id,
    memberLevel: await levelOf(ctx.store, w.guest_id),
    guestName: null,
    guestPhone: null,
    bookingId: w.entry_id,
  };
  let held;
  try {
    held = await holdBooking(ctx, input, SYSTEM, metadata);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return false;
    throw err;
  }
  await ctx.jobs.schedule(HOLD_EXPIRY, held.bookingId, new Date(held.holdExpiresAt));
  const offer = { type: 'Offer', entryId: w.entry_id, bookingId: held.bookingId, roomId: held.roomId, now } as const;
  await handle(ctx.store, waitlistStream(w.entry_id), waitlistDecider, offer, metadata);
  await tellGuest(ctx.news, w.guest_id, { event: 'waitlist', data: { id: w.entry_id, status: 'offered', bookingId: held.bookingId } });
  return true;
}

/** Records the expiry of entries whose time has come without an offer. */
export async function expireWaitlist(ctx: Pick<OfferContext, 'store' | 'clock' | 'db'>): Promise<void> {
  const now = ctx.clock();
  const { rows } = await sql<{ entry_id: string }>`
    SELECT entry_id FROM rm.waitlist_entries WHERE status = 'waiting' AND start_at <= ${now} LIMIT 500`.execute(ctx.db);
  for (const r of rows) {
    await handle(
      ctx.store,
      waitlistStream(r.entry_id),
      waitlistDecider,
      { type: 'Expire', entryId: r.entry_id, now },
      {
        actor: 'system',
        causationId: `waitlist-expiry:${r.entry_id}`,
      },
    );
  }
}

/** Run with the other sweeps: waiting guests are offered what freed up since the last run, and passed entries expire. */
export const waitlistJobs = (ctx: OfferContext) => ({
  handlers: {} as Record<string, (id: string) => Promise<void>>,
  sweeps: [async () => void (await offerWaitingGuests(ctx)), () => expireWaitlist(ctx)],
});
