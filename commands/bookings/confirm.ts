import type { EventStore, EventMetadata } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { bookingStream, roomDayStream } from '../../src/events/bookings.js';
import { ConflictError, NotFoundError } from '../../src/errors.js';
import { roomDayDecider } from '../room-days/decider.js';
import { bookingDecider, depositDue, type Booking } from './decider.js';
import { endGuestHold } from './guest-holds.js';

/**
 * `part`: the payer chose the amount (stored value), so one less than what is still due pays that
 * part of the deposit and leaves the booking held; other payments confirm whatever they paid.
 */
export type ConfirmingPayment = Readonly<{ paymentId: string | null; amount: number; by: string; part?: boolean }>;

/**
 * Confirms a held booking once its deposit is paid (a part of it only records the part): first on the room-day
 * stream (which refuses an expired hold, so a late payment cannot take time
 * someone else may already hold), then on the booking. Payments call this;
 * the booking lists the payments that paid its deposit, so a caller can tell
 * whether its payment is one that counted.
 */
export async function confirmBooking(
  store: EventStore,
  bookingId: string,
  payment: ConfirmingPayment,
  metadata: EventMetadata,
  now: Date,
): Promise<Booking> {
  const { state } = await load(store, bookingStream(bookingId), bookingDecider);
  if (state.status === 'none') throw new NotFoundError('booking', bookingId);
  // Applied on an earlier delivery of the same payment, whatever happened to the booking since.
  if (payment.paymentId !== null && state.paymentIds.includes(payment.paymentId)) return state;
  if (state.status === 'confirmed') return state;
  if (state.status !== 'held') throw new ConflictError(`booking_${state.status}`, `A ${state.status} booking cannot be confirmed.`);
  if (payment.part && payment.paymentId !== null && payment.amount < depositDue(state)) {
    const { state: after } = await handle(
      store,
      bookingStream(bookingId),
      bookingDecider,
      { type: 'PayDepositPart', paymentId: payment.paymentId, amount: payment.amount, now, by: payment.by },
      metadata,
    );
    if (after.status === 'none') throw new Error('part-paid booking vanished');
    return after;
  }
  await handle(
    store,
    roomDayStream(state.roomId, state.businessDate),
    roomDayDecider,
    { type: 'Confirm', roomId: state.roomId, businessDate: state.businessDate, bookingId, now },
    metadata,
  );
  const { state: after } = await handle(
    store,
    bookingStream(bookingId),
    bookingDecider,
    { type: 'Confirm', paymentId: payment.paymentId, amount: payment.amount, now, by: payment.by },
    metadata,
  );
  if (after.status === 'none') throw new Error('confirmed booking vanished');
  await endGuestHold(store, after, 'confirmed', metadata, now);
  return after;
}
