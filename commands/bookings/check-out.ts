import type { EventStore, EventMetadata } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream, roomDayStream, type Bill } from '../../src/events/bookings.js';
import { roomDayDecider } from '../room-days/decider.js';
import { currentVenue } from '../venue/current.js';
import { bookingDecider, type Booking } from './decider.js';

/**
 * What checking out does to the booking and its room time: the bill is closed
 * and the room's time ends now, so it is free once its cleaning buffer has
 * passed. Taking what is due is settlement's part (commands/settlement/check-out.ts).
 */
export async function checkOut(store: EventStore, booking: Booking, by: string, metadata: EventMetadata, now: Date): Promise<Bill> {
  const { vatRatePercent } = await currentVenue(store);
  const { state, events } = await handle(
    store,
    bookingStream(booking.id),
    bookingDecider,
    { type: 'CheckOut', vatRatePercent, now, by },
    metadata,
  );
  if (state.status !== 'checked_out') throw new Error('check-out left the booking open');
  await handle(
    store,
    roomDayStream(state.roomId, state.businessDate),
    roomDayDecider,
    { type: 'End', roomId: state.roomId, businessDate: state.businessDate, bookingId: state.id, end: now, now },
    metadata,
  );
  const out = events.find((e) => e.type === 'BookingCheckedOut');
  return out?.type === 'BookingCheckedOut' ? out.data.bill : { total: state.amountPaid, paid: state.amountPaid, due: 0, currency: 'CNY' };
}
