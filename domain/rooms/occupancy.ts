import { sql, type RawBuilder } from 'kysely';
import { MINUTE_MS } from '../../src/clock.js';

/**
 * The one rule for room time: a reservation occupies its room from its start
 * until its end plus the room's cleaning buffer, and an unconfirmed hold stops
 * counting the moment it expires, whether or not its release is recorded yet.
 * Staff marking the room clean after a check-out ends that stay's buffer at
 * once: from then on the stay no longer holds the room at all.
 * The room-day decider applies it to decide; the bookings projection stores
 * `busyUntil` and the read side filters with the SQL forms below, so every
 * reader agrees with the decision.
 */
export type Occupancy = Readonly<{ start: number; end: number; bufferMinutes: number }>;

/** When the room is free again after this reservation (epoch milliseconds). */
export const busyUntil = (r: Pick<Occupancy, 'end' | 'bufferMinutes'>): number => r.end + r.bufferMinutes * MINUTE_MS;

/** Whether two reservations of one room overlap, either's cleaning buffer included. */
export const overlaps = (a: Occupancy, b: Occupancy): boolean => a.start < busyUntil(b) && b.start < busyUntil(a);

/** Whether a reservation still takes room time at `now` (a confirmed one has no hold expiry). */
export const stillCounts = (r: Readonly<{ released: boolean; cleaned: boolean; holdExpiresAt: number | null }>, now: number): boolean =>
  !r.released && !r.cleaned && (r.holdExpiresAt === null || r.holdExpiresAt > now);

/** `stillCounts` over a `rm.room_reservations` row aliased `x`, at the database's now(). */
export const stillCountsSql = (x: string): RawBuilder<boolean> =>
  sql<boolean>`(${sql.ref(`${x}.status`)} <> 'released' AND (${sql.ref(`${x}.hold_expires_at`)} IS NULL OR ${sql.ref(`${x}.hold_expires_at`)} > now()))`;

/** `overlaps` between a `rm.room_reservations` row aliased `x` and a candidate from `start` until `candidateBusyUntil`. */
export const overlapsSql = (x: string, start: Date, candidateBusyUntil: RawBuilder<Date>): RawBuilder<boolean> =>
  sql<boolean>`(${sql.ref(`${x}.start_at`)} < ${candidateBusyUntil} AND ${sql.ref(`${x}.busy_until`)} > ${start}::timestamptz)`;
