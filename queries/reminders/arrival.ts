import type { Kysely } from 'kysely';
import type { ReadModels } from '../../projections/read-models.js';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import type { Notifier } from '../../src/notifications/port.js';
import { localParts } from '../../domain/venue/time.js';
import { venueSettings } from '../venue.js';

/** Confirmed bookings starting within this many minutes get their reminder. */
export const REMINDER_LEAD_MINUTES = 60;
const KIND = 'arrival_reminder';

type ReminderContext = Readonly<{
  db: Kysely<PlatformDatabase>;
  readModels: Kysely<ReadModels>;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
}>;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Tells each guest with a confirmed booking, once, that it starts soon (run by the job queue's
 * sweep on every API instance). A reminder is claimed in `notifications_sent` before it is sent,
 * so two instances never both send it; a send that fails gives the claim back for the next sweep.
 */
export async function sendArrivalReminders(ctx: ReminderContext): Promise<number> {
  const now = ctx.clock();
  const due = await ctx.readModels
    .selectFrom('bookings as b')
    .innerJoin('rooms as r', 'r.id', 'b.room_id')
    .select(['b.booking_id', 'b.guest_id', 'b.guest_name', 'b.guest_phone', 'b.start_at', 'r.name as room'])
    .where('b.status', '=', 'confirmed')
    .where('b.start_at', '>', now)
    .where('b.start_at', '<=', new Date(now.getTime() + REMINDER_LEAD_MINUTES * 60_000))
    .where((eb) => eb.or([eb('b.guest_id', 'is not', null), eb('b.guest_phone', 'is not', null)]))
    .execute();
  if (due.length === 0) return 0;
  const { timeZone } = await venueSettings(ctx.readModels);
  let sent = 0;
  for (const b of due) {
    const claimed = await ctx.db
      .insertInto('notifications_sent')
      .values({ kind: KIND, ref: b.booking_id, provider: ctx.notifier.name, sent_at: now })
      .onConflict((oc) => oc.doNothing())
      .returning('ref')
      .executeTakeFirst();
    if (!claimed) continue;
    const local = localParts(b.start_at, timeZone);
    try {
      await ctx.notifier.send({
        kind: KIND,
        ref: b.booking_id,
        to: { userId: b.guest_id, name: b.guest_name, phone: b.guest_phone },
        text: `Your room ${b.room} is ready for you at ${pad(local.hour)}:${pad(local.minute)}. See you soon!`,
      });
      sent++;
    } catch (err) {
      ctx.logger.warn({ err, booking: b.booking_id }, 'arrival reminder not sent; retried at the next sweep');
      await ctx.db.deleteFrom('notifications_sent').where('kind', '=', KIND).where('ref', '=', b.booking_id).execute();
    }
  }
  return sent;
}
