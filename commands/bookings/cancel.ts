import type { EventStore, EventMetadata } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { currentVenue } from '../venue/current.js';
import { bookingDecider, type Booking } from './decider.js';
import { releaseRoomTime } from './release.js';
import { endGuestHold } from './guest-holds.js';

export type Cancellation = Readonly<{ reason: string; override: boolean; by: string }>;

/**
 * What cancelling does to the booking and its room time: the refund due by the
 * venue's policy is decided and recorded, and the room is released. Paying the
 * refund out is settlement's part (commands/settlement/cancel.ts).
 */
export async function cancelBooking(store: EventStore, booking: Booking, input: Cancellation, metadata: EventMetadata, now: Date) {
  const venue = await currentVenue(store);
  const command = {
    type: 'Cancel',
    reason: input.reason,
    override: input.override,
    fullRefundMinutesBefore: venue.fullRefundMinutesBefore,
    now,
    by: input.by,
  } as const;
  const { state, events } = await handle(store, bookingStream(booking.id), bookingDecider, command, metadata);
  if (state.status !== 'cancelled') throw new Error('cancel left the booking uncancelled');
  await releaseRoomTime(store, state, 'cancelled', metadata, now);
  await endGuestHold(store, state, 'cancelled', metadata, now);
  const cancelled = events.find((e) => e.type === 'BookingCancelled');
  return { booking: state, refund: cancelled?.type === 'BookingCancelled' ? cancelled.data.refund : 0 };
}
