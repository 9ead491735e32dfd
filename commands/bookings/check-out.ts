import type { EventStore, EventMetadata } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream, roomDayStream, type Bill } from '../../src/events/bookings.js';
import { roomDayDecider } from '../room-days/decider.js';
import { currentVenue } from '../venue/current.js';
import { bookingDecider, type Booking, type Overtime } from './decider.js';
import { levelOf } from './context.js';
import { requireRateCard } from '../venue/current.js';
import { quoteOrRefuse } from '../../domain/pricing/quote.js';
import { minutesBetween } from '../../src/clock.js';
import type { VenueSettings } from '../../src/events/venue.js';

/**
 * 超时: a party still in its room past its end and the grace period pays for the time, by each
 * started billing unit, at the rate card's rates for those minutes and the guest's level.
 */
export async function overtimeOf(store: EventStore, venue: VenueSettings, booking: Booking, now: Date): Promise<Overtime | null> {
  const late = minutesBetween(booking.end, now);
  if (late <= venue.overtimeGraceMinutes) return null;
  const minutes = Math.ceil(late / venue.billingUnitMinutes) * venue.billingUnitMinutes;
  const level = await levelOf(store, booking.guestId);
  const price = quoteOrRefuse(await requireRateCard(store), venue, {
    roomTypeId: booking.roomTypeId,
    start: booking.end,
    minutes,
    memberLevel: level,
  });
  return { minutes, amount: price.total };
}

/**
 * What checking out does to the booking and its room time: the bill is closed
 * and the room's time ends now, so it is free once its cleaning buffer has
 * passed. Taking what is due is settlement's part (commands/settlement/check-out.ts).
 */
export async function checkOut(store: EventStore, booking: Booking, by: string, metadata: EventMetadata, now: Date): Promise<Bill> {
  const venue = await currentVenue(store);
  const overtime = booking.status === 'checked_in' ? await overtimeOf(store, venue, booking, now) : null;
  const { state, events } = await handle(
    store,
    bookingStream(booking.id),
    bookingDecider,
    { type: 'CheckOut', vatRatePercent: venue.vatRatePercent, overtime, now, by },
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
