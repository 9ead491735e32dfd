import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../src/eventstore/port.js';
import { bookingStream } from '../../src/events/bookings.js';
import { held, price } from '../projections/fixtures.js';

export type PastStay = Readonly<{
  roomId: string;
  roomTypeId: string;
  businessDate: string;
  start: Date;
  hours: number;
  guestId?: string;
  partySize?: number;
}>;

/**
 * A paid stay recorded as its booking's own events, as if it had happened then
 * (held an hour before, paid at once): history for the read side without
 * driving the clock through every command.
 */
export async function recordPastStay(store: EventStore, stay: PastStay): Promise<string> {
  const bookingId = randomUUID();
  const end = new Date(stay.start.getTime() + stay.hours * 3_600_000);
  const at = new Date(stay.start.getTime() - 3_600_000).toISOString();
  const guest = stay.guestId ? { guestId: stay.guestId, bookedBy: stay.guestId } : {};
  await store.appendToStream(
    bookingStream(bookingId),
    [
      held({
        bookingId,
        roomId: stay.roomId,
        roomTypeId: stay.roomTypeId,
        ...guest,
        partySize: stay.partySize ?? 4,
        businessDate: stay.businessDate,
        start: stay.start.toISOString(),
        end: end.toISOString(),
        at,
        price: price(30000, 9000),
      }),
      { type: 'BookingConfirmed', data: { bookingId, paymentId: null, amountPaid: 9000, by: 'test', at } },
    ].map((e) => ({ id: randomUUID(), ...e })),
    'no_stream',
  );
  return bookingId;
}
