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

/** Room time from `start` for `minutes` at the rate card's rates and the guest's level. */
async function priceOfTime(store: EventStore, venue: VenueSettings, booking: Booking, start: Date, minutes: number): Promise<Overtime> {
  const level = await levelOf(store, booking.guestId);
  const price = quoteOrRefuse(await requireRateCard(store), venue, { roomTypeId: booking.roomTypeId, start, minutes, memberLevel: level });
  return { minutes, amount: price.total };
}

/** Minutes rounded up to whole billing units, at least one: any stay or overtime billed costs a unit. */
const billedMinutes = (minutes: number, unit: number) => Math.max(1, Math.ceil(minutes / unit)) * unit;

/**
 * 超时: a party still in its room past its end and the grace period pays for the time, by each
 * started billing unit, at the rate card's rates for those minutes and the guest's level.
 */
export async function overtimeOf(store: EventStore, venue: VenueSettings, booking: Booking, now: Date): Promise<Overtime | null> {
  const late = minutesBetween(booking.end, now);
  if (late <= venue.overtimeGraceMinutes) return null;
  return priceOfTime(store, venue, booking, booking.end, billedMinutes(late, venue.billingUnitMinutes));
}

/** 计时: an open-timed stay pays for the minutes from its start to now, by started billing units. */
async function timeUsedOf(store: EventStore, venue: VenueSettings, booking: Booking, now: Date): Promise<Overtime> {
  const used = Math.ceil(minutesBetween(booking.start, now));
  return priceOfTime(store, venue, booking, booking.start, billedMinutes(used, venue.billingUnitMinutes));
}

/**
 * What checking out does to the booking and its room time: the bill is closed
 * and the room's time ends now, so it is free once its cleaning buffer has
 * passed. Taking what is due is settlement's part (commands/settlement/check-out.ts).
 */
export async function checkOut(store: EventStore, booking: Booking, by: string, metadata: EventMetadata, now: Date): Promise<Bill> {
  const venue = await currentVenue(store);
  const open = booking.status === 'checked_in' && booking.openTiming;
  const overtime = booking.status === 'checked_in' && !open ? await overtimeOf(store, venue, booking, now) : null;
  const timeUsed = open ? await timeUsedOf(store, venue, booking, now) : null;
  const { state, events } = await handle(
    store,
    bookingStream(booking.id),
    bookingDecider,
    { type: 'CheckOut', vatRatePercent: venue.vatRatePercent, overtime, timeUsed, now, by },
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
