import type { EventStore, EventMetadata } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { guestHoldsStream, type GuestHoldEndReason } from '../../src/events/bookings.js';
import { guestHoldsDecider } from '../guest-holds/decider.js';

/**
 * Counts a new hold against its guest's limit (`409 too_many_holds` when the
 * guest already holds the venue's maximum), before any room time is taken.
 */
export async function openGuestHold(
  store: EventStore,
  hold: Readonly<{ guestId: string; bookingId: string; holdExpiresAt: Date; maxActiveHolds: number }>,
  metadata: EventMetadata,
  now: Date,
): Promise<void> {
  await handle(store, guestHoldsStream(hold.guestId), guestHoldsDecider, { type: 'Open', ...hold, now }, metadata);
}

/**
 * Stops counting a hold: it was paid, cancelled, expired or never got its room
 * time. A no-op for a booking without a guest or a hold already ended. Should
 * this step be lost in a crash, the hold stops counting when its time passes.
 */
export async function endGuestHold(
  store: EventStore,
  booking: Readonly<{ guestId: string | null; id: string }>,
  reason: GuestHoldEndReason,
  metadata: EventMetadata,
  now: Date,
): Promise<void> {
  if (booking.guestId === null) return;
  await handle(
    store,
    guestHoldsStream(booking.guestId),
    guestHoldsDecider,
    { type: 'End', guestId: booking.guestId, bookingId: booking.id, reason, now },
    metadata,
  );
}
