import t, { type Test } from 'tap';
import type { Selectable } from 'kysely';
import { bookingsProjection, type BookingsDatabase, type BookingsTable, type RoomReservationsTable } from '../../projections/bookings.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';
import {
  BOOKING,
  BUSINESS_DATE,
  GUEST,
  PRICE,
  WAITER,
  at,
  bill,
  cancelled,
  checkedIn,
  checkedOut,
  confirmed,
  expired,
  extended,
  held,
  local,
  moved,
  noShow,
  price,
  refundRequested,
  reserved,
  timeConfirmed,
  timeEnded,
  timeExtended,
  timeReleased,
  walkIn,
} from './fixtures.js';
import type { BookingEvent } from '../../src/events/bookings.js';

/**
 * Bookings (`rm.bookings`), the room time they hold (`rm.room_reservations`, one
 * row per booking and room) and, over the reservations, `rm.occupancy_hourly`.
 * Times are the events' `at`. Booking `bk-1`: held 19:00 for room S01 (small,
 * 15 minutes of cleaning), 20:00–23:00 on 2026-03-13 in Shanghai, hold until
 * 19:15, price 294.00 with a deposit of 88.20.
 */
type OccupancyHourly = { room_id: string; business_date: string; hour_start: Date; occupied_minutes: number };
const spec = ProjectionSpecification.for<BookingsDatabase & { occupancy_hourly: OccupancyHourly }>(t, bookingsProjection);

const heldRow: Selectable<BookingsTable> = {
  booking_id: BOOKING,
  room_id: 'room-s01',
  room_type_id: 'small',
  guest_id: GUEST,
  guest_name: 'Li Lei',
  guest_phone: '+8613800000002',
  booked_by: GUEST,
  party_size: 4,
  start_at: at('20:00'),
  end_at: at('23:00'),
  business_date: BUSINESS_DATE,
  status: 'held',
  walk_in: false,
  open_timing: false,
  hold_expires_at: at('19:15'),
  price_total: 29400,
  deposit: 8820,
  rate_card_version: 3,
  price: PRICE,
  base_price: 29400,
  extra_total: 0,
  products_total: 0,
  adjustments_total: 0,
  amount_paid: 0,
  refund: 0,
  bill: null,
  checked_out_at: null,
  created_at: at('19:00'),
  updated_at: at('19:00'),
};
const confirmedRow: Selectable<BookingsTable> = {
  ...heldRow,
  status: 'confirmed',
  hold_expires_at: null,
  amount_paid: 8820,
  updated_at: at('19:05'),
};

const reservationRow: Selectable<RoomReservationsTable> = {
  booking_id: BOOKING,
  room_id: 'room-s01',
  business_date: BUSINESS_DATE,
  start_at: at('20:00'),
  end_at: at('23:00'),
  busy_until: at('23:15'),
  buffer_minutes: 15,
  kind: 'booking',
  status: 'live',
  hold_expires_at: at('19:15'),
  updated_at: at('19:00'),
};
const confirmedReservation: Selectable<RoomReservationsTable> = { ...reservationRow, hold_expires_at: null, updated_at: at('19:05') };

/** A held and confirmed booking with its room time, as the booking process records them. */
const heldAndConfirmed = [held(), reserved(), timeConfirmed(), confirmed(8820)];

t.test('bookings', async (t) => {
  t.test('BookingHeld adds a held booking with its guest, times, hold expiry and price as quoted; nothing paid yet', async (t) => {
    await spec(t).given([held()]).expectRows('bookings', [heldRow]);
  });

  t.test('WalkInStarted adds a checked-in walk-in with no guest account and no hold', async (t) => {
    const w = walkIn();
    await spec(t)
      .given([w])
      .expectRows('bookings', [
        {
          booking_id: 'bk-walk-in',
          room_id: 'room-m01',
          room_type_id: 'medium',
          guest_id: null,
          guest_name: null,
          guest_phone: null,
          booked_by: WAITER,
          party_size: 6,
          start_at: at('21:00'),
          end_at: at('23:00'),
          business_date: BUSINESS_DATE,
          status: 'checked_in',
          walk_in: true,
          hold_expires_at: null,
          price_total: 29400,
          deposit: 0,
          rate_card_version: 3,
          price: price(29400, 0, 'regular', 120),
          base_price: 29400,
          extra_total: 0,
          amount_paid: 0,
          refund: 0,
          bill: null,
          created_at: at('21:00'),
          updated_at: at('21:00'),
        },
      ]);
  });

  t.test('BookingConfirmed confirms the booking, clears the hold expiry and adds the amount paid', async (t) => {
    await spec(t)
      .given([held()])
      .when([confirmed(8820)])
      .expectRows('bookings', [confirmedRow]);
  });

  t.test('DepositPartPaid adds the part to what was paid and leaves the booking held', async (t) => {
    const part = (paymentId: string, amount: number, due: number, hhmm: string): BookingEvent => ({
      type: 'DepositPartPaid',
      data: { bookingId: BOOKING, paymentId, amount, due, by: GUEST, at: local(hhmm) },
    });
    await spec(t)
      .given([held()])
      .when([part('sv-1', 2000, 6820, '19:03'), part('sv-2', 1000, 5820, '19:04')])
      .expectRows('bookings', [{ ...heldRow, amount_paid: 3000, updated_at: at('19:04') }]);
  });

  t.test('BookingCancelled cancels the booking and records the refund; what was paid stays as paid', async (t) => {
    await spec(t)
      .given([held(), confirmed(8820)])
      .when([cancelled(8820, '19:30')])
      .expectRows('bookings', [{ ...confirmedRow, status: 'cancelled', refund: 8820, updated_at: at('19:30') }]);
  });

  t.test('BookingCancelled of a hold nothing was paid for records a refund of zero', async (t) => {
    await spec(t)
      .given([held()])
      .when([cancelled(0, '19:10')])
      .expectRows('bookings', [{ ...heldRow, status: 'cancelled', refund: 0, updated_at: at('19:10') }]);
  });

  t.test('BookingExpired marks the hold expired and keeps when it ran out', async (t) => {
    await spec(t)
      .given([held()])
      .when([expired('19:16')])
      .expectRows('bookings', [{ ...heldRow, status: 'expired', updated_at: at('19:16') }]);
  });

  t.test('BookingCheckedIn marks the booking checked in', async (t) => {
    await spec(t)
      .given([held(), confirmed(8820)])
      .when([checkedIn('19:55')])
      .expectRows('bookings', [{ ...confirmedRow, status: 'checked_in', updated_at: at('19:55') }]);
  });

  t.test('BookingExtended moves the end and adds the extension to the extras; two extensions add up', async (t) => {
    await spec(t)
      .given([held(), confirmed(8820), checkedIn()])
      .when([extended(60, local('00:00', true), 9800, '22:30'), extended(30, local('00:30', true), 4900, '23:45')])
      .expectRows('bookings', [
        { ...confirmedRow, status: 'checked_in', end_at: at('00:30', true), extra_total: 14700, updated_at: at('23:45') },
      ]);
  });

  t.test('BookingMoved points the booking at the new room and type and sets the room price in force; the quoted price stays', async (t) => {
    await spec(t)
      .given([held(), confirmed(8820), checkedIn()])
      .when([moved('room-s01', 'room-m01', 'medium', 44100, 29400, '20:30')])
      .expectRows('bookings', [
        {
          ...confirmedRow,
          status: 'checked_in',
          room_id: 'room-m01',
          room_type_id: 'medium',
          base_price: 44100,
          price_total: 29400,
          updated_at: at('20:30'),
        },
      ]);
  });

  t.test('BookingCheckedOut marks the booking checked out with its bill', async (t) => {
    await spec(t)
      .given([held(), confirmed(8820), checkedIn()])
      .when([checkedOut(29400, 8820, local('23:05'))])
      .expectRows('bookings', [
        {
          ...confirmedRow,
          status: 'checked_out',
          bill: { total: 29400, paid: 8820, due: 20580, currency: 'CNY', refund: 0 },
          updated_at: at('23:05'),
          checked_out_at: at('23:05'),
        },
      ]);
  });

  t.test('a refund after check-out is what was paid beyond the bill; one before it is the cancellation’s', async (t) => {
    await spec(t)
      .given([held(), confirmed(24000), checkedIn()])
      .when([checkedOut(15000, 24000, local('23:05')), refundRequested('pay-1', 'refund-1', 9000, '23:05')])
      .expectRows('bookings', [
        {
          ...confirmedRow,
          amount_paid: 24000,
          status: 'checked_out',
          bill: { ...bill(15000, 24000), refund: 9000 },
          updated_at: at('23:05'),
          checked_out_at: at('23:05'),
        },
      ]);
    await spec(t)
      .given([held(), confirmed(8820)])
      .when([cancelled(8820, '19:30'), refundRequested('pay-1', 'refund-1', 8820, '19:30')])
      .expectRows('bookings', [{ ...confirmedRow, status: 'cancelled', refund: 8820, updated_at: at('19:30') }]);
  });

  t.test('OrderPlaced adds the order to the products on the bill; OrderLineVoided takes its line off', async (t) => {
    const line = {
      lineNo: 1,
      productId: 'p-1',
      name: 'Beer',
      category: 'drinks',
      unit: 'bottle',
      quantity: 4,
      unitPrice: 1500,
      amount: 6000,
    };
    await spec(t)
      .given([held(), confirmed(8820), checkedIn()])
      .when([
        { type: 'OrderPlaced', data: { bookingId: BOOKING, orderId: 'o-1', lines: [line], total: 6000, by: WAITER, at: local('20:30') } },
        {
          type: 'OrderPlaced',
          data: {
            bookingId: BOOKING,
            orderId: 'o-2',
            lines: [{ ...line, quantity: 2, amount: 3000 }],
            total: 3000,
            by: WAITER,
            at: local('20:45'),
          },
        },
        {
          type: 'OrderLineVoided',
          data: {
            bookingId: BOOKING,
            orderId: 'o-1',
            lineNo: 1,
            productId: 'p-1',
            quantity: 4,
            amount: 6000,
            reason: 'spilled',
            by: 'm',
            at: local('21:00'),
          },
        },
      ])
      .expectRows('bookings', [{ ...confirmedRow, status: 'checked_in', products_total: 3000, updated_at: at('21:00') }]);
  });

  t.test('BookingMarkedNoShow marks a confirmed booking a no-show', async (t) => {
    await spec(t)
      .given([held(), confirmed(8820)])
      .when([noShow(8820, '20:31')])
      .expectRows('bookings', [{ ...confirmedRow, status: 'no_show', updated_at: at('20:31') }]);
  });

  t.test('A booking event changes only its own booking', async (t) => {
    await spec(t)
      .given([held(), held({ bookingId: 'bk-2', roomId: 'room-s02' })])
      .when([confirmed(8820), expired('19:16', 'bk-2')])
      .expectRows('bookings', [
        { booking_id: BOOKING, status: 'confirmed', amount_paid: 8820 },
        { booking_id: 'bk-2', status: 'expired', amount_paid: 0 },
      ]);
  });
});

t.test('room reservations', async (t) => {
  t.test(
    'RoomTimeReserved adds live room time, busy until its end plus the cleaning buffer, counting until the hold expires',
    async (t) => {
      await spec(t).given([reserved()]).expectRows('room_reservations', [reservationRow]);
    },
  );

  t.test('RoomTimeReserved for a walk-in has no hold expiry and its own kind and buffer', async (t) => {
    await spec(t)
      .given([
        reserved({
          bookingId: 'bk-walk-in',
          roomId: 'room-l01',
          start: local('21:00'),
          end: local('23:00'),
          bufferMinutes: 20,
          kind: 'walk_in',
          holdExpiresAt: null,
          at: local('21:00'),
        }),
      ])
      .expectRows('room_reservations', [
        {
          booking_id: 'bk-walk-in',
          room_id: 'room-l01',
          business_date: BUSINESS_DATE,
          start_at: at('21:00'),
          end_at: at('23:00'),
          busy_until: at('23:20'),
          buffer_minutes: 20,
          kind: 'walk_in',
          status: 'live',
          hold_expires_at: null,
          updated_at: at('21:00'),
        },
      ]);
  });

  t.test('RoomTimeConfirmed clears the hold expiry: the time counts for good', async (t) => {
    await spec(t)
      .given([reserved()])
      .when([timeConfirmed('room-s01', '19:05')])
      .expectRows('room_reservations', [confirmedReservation]);
  });

  t.test('RoomTimeExtended moves the end and the busy-until of the room reservation', async (t) => {
    await spec(t)
      .given([reserved(), timeConfirmed()])
      .when([timeExtended(local('00:00', true), 'room-s01', '22:30')])
      .expectRows('room_reservations', [
        { ...confirmedReservation, end_at: at('00:00', true), busy_until: at('00:15', true), updated_at: at('22:30') },
      ]);
  });

  t.test('RoomTimeEnded ends the reservation at the actual end, busy until that plus the buffer', async (t) => {
    await spec(t)
      .given([reserved(), timeConfirmed()])
      .when([timeEnded(local('22:10'), 'room-s01', '22:10')])
      .expectRows('room_reservations', [
        { ...confirmedReservation, end_at: at('22:10'), busy_until: at('22:25'), status: 'ended', updated_at: at('22:10') },
      ]);
  });

  t.test('RoomTimeReleased of an expired hold releases the room time and keeps its times', async (t) => {
    await spec(t)
      .given([reserved()])
      .when([timeReleased('expired', 'room-s01', '19:16')])
      .expectRows('room_reservations', [{ ...reservationRow, status: 'released', updated_at: at('19:16') }]);
  });

  t.test('RoomTimeReleased of a cancelled booking releases confirmed room time', async (t) => {
    await spec(t)
      .given([reserved(), timeConfirmed()])
      .when([timeReleased('cancelled', 'room-s01', '19:30')])
      .expectRows('room_reservations', [{ ...confirmedReservation, status: 'released', updated_at: at('19:30') }]);
  });

  t.test('A room-time event changes only the reservation of its booking in its room', async (t) => {
    const other = reserved({ bookingId: 'bk-2', start: local('17:00'), end: local('19:00'), holdExpiresAt: null, at: local('16:00') });
    await spec(t)
      .given([other, reserved()])
      .when([
        timeExtended(local('23:30'), 'room-s01', '22:30'),
        timeEnded(local('23:30'), 'room-s02', '23:30'),
        timeReleased('cancelled', 'room-s02', '23:31', 'bk-2'),
      ])
      .expectRows(
        'room_reservations',
        [
          { booking_id: BOOKING, room_id: 'room-s01', end_at: at('23:30'), busy_until: at('23:45'), status: 'live' },
          { booking_id: 'bk-2', room_id: 'room-s01', end_at: at('19:00'), busy_until: at('19:15'), status: 'live' },
        ],
        { orderBy: 'booking_id' },
      );
  });

  t.test('A moved booking leaves a released row in its old room and live room time, with the new buffer, in the new one', async (t) => {
    const s = spec(t)
      .given(heldAndConfirmed)
      .when([
        reserved({ roomId: 'room-l01', bufferMinutes: 20, holdExpiresAt: null, at: local('19:40') }),
        moved('room-s01', 'room-l01', 'large', 64680, 29400, '19:40'),
        timeReleased('moved', 'room-s01', '19:40'),
      ]);
    await s.expectRows(
      'room_reservations',
      [
        {
          ...reservationRow,
          room_id: 'room-l01',
          busy_until: at('23:20'),
          buffer_minutes: 20,
          hold_expires_at: null,
          updated_at: at('19:40'),
        },
        { ...confirmedReservation, status: 'released', updated_at: at('19:40') },
      ],
      { orderBy: 'room_id' },
    );
    await s.expectRows('bookings', [{ booking_id: BOOKING, room_id: 'room-l01', room_type_id: 'large', base_price: 64680 }]);
  });

  t.test('A booking moved back to a room it left holds live room time there again', async (t) => {
    const s = spec(t)
      .given(heldAndConfirmed)
      .when([
        reserved({ roomId: 'room-s02', holdExpiresAt: null, at: local('19:30') }),
        moved('room-s01', 'room-s02', 'small', 29400, 29400, '19:30'),
        timeReleased('moved', 'room-s01', '19:30'),
      ])
      .when([
        reserved({ roomId: 'room-s01', holdExpiresAt: null, at: local('19:45') }),
        moved('room-s02', 'room-s01', 'small', 29400, 29400, '19:45'),
        timeReleased('moved', 'room-s02', '19:45'),
      ]);
    await s.expectRows(
      'room_reservations',
      [
        { ...confirmedReservation, status: 'live', updated_at: at('19:45') },
        { ...confirmedReservation, room_id: 'room-s02', status: 'released', updated_at: at('19:45') },
      ],
      { orderBy: 'room_id' },
    );
    await s.expectRows('occupancy_hourly', [
      { room_id: 'room-s01', hour_start: at('20:00'), occupied_minutes: 60 },
      { room_id: 'room-s01', hour_start: at('21:00'), occupied_minutes: 60 },
      { room_id: 'room-s01', hour_start: at('22:00'), occupied_minutes: 60 },
    ]);
  });
});

t.test('a booking’s evening, held → confirmed → checked in → moved → extended → checked out', async (t) => {
  const evening = (t: Test) =>
    spec(t)
      .given([held(), reserved()])
      .when([confirmed(8820, '19:05'), timeConfirmed('room-s01', '19:05')])
      .when([checkedIn('19:55')])
      .when([
        reserved({ roomId: 'room-l01', bufferMinutes: 20, holdExpiresAt: null, at: local('20:30') }),
        moved('room-s01', 'room-l01', 'large', 64680, 29400, '20:30'),
        timeReleased('moved', 'room-s01', '20:30'),
      ])
      .when([timeExtended(local('00:00', true), 'room-l01', '22:30'), extended(60, local('00:00', true), 21600, '22:30')])
      .when([timeEnded(local('23:40'), 'room-l01', '23:40'), checkedOut(86280, 8820, local('23:40'))]);

  t.test('BookingCheckedOut leaves the booking in the new room, with the moved price, the extension and its bill', async (t) => {
    await evening(t).expectRows('bookings', [
      {
        ...confirmedRow,
        room_id: 'room-l01',
        room_type_id: 'large',
        status: 'checked_out',
        end_at: at('00:00', true),
        base_price: 64680,
        extra_total: 21600,
        bill: { ...bill(86280, 8820), refund: 0 },
        updated_at: at('23:40'),
        checked_out_at: at('23:40'),
      },
    ]);
  });

  t.test('RoomTimeEnded at check-out ends the stay in the new room at the actual time; the old room’s row stays released', async (t) => {
    await evening(t).expectRows(
      'room_reservations',
      [
        {
          ...reservationRow,
          room_id: 'room-l01',
          end_at: at('23:40'),
          busy_until: at('00:00', true),
          buffer_minutes: 20,
          status: 'ended',
          hold_expires_at: null,
          updated_at: at('23:40'),
        },
        { ...confirmedReservation, status: 'released', updated_at: at('20:30') },
      ],
      { orderBy: 'room_id' },
    );
  });

  t.test('occupancy_hourly counts the stay in the new room only, up to the check-out', async (t) => {
    await evening(t).expectRows('occupancy_hourly', [
      { room_id: 'room-l01', business_date: BUSINESS_DATE, hour_start: at('20:00'), occupied_minutes: 60 },
      { room_id: 'room-l01', business_date: BUSINESS_DATE, hour_start: at('21:00'), occupied_minutes: 60 },
      { room_id: 'room-l01', business_date: BUSINESS_DATE, hour_start: at('22:00'), occupied_minutes: 60 },
      { room_id: 'room-l01', business_date: BUSINESS_DATE, hour_start: at('23:00'), occupied_minutes: 40 },
    ]);
  });
});

t.test('occupancy_hourly', async (t) => {
  t.test('occupancy_hourly gives the minutes of each clock hour a confirmed stay takes, cleaning not counted', async (t) => {
    await spec(t)
      .given([reserved({ start: local('20:30'), end: local('22:15') }), timeConfirmed()])
      .expectRows('occupancy_hourly', [
        { room_id: 'room-s01', business_date: BUSINESS_DATE, hour_start: at('20:00'), occupied_minutes: 30 },
        { room_id: 'room-s01', business_date: BUSINESS_DATE, hour_start: at('21:00'), occupied_minutes: 60 },
        { room_id: 'room-s01', business_date: BUSINESS_DATE, hour_start: at('22:00'), occupied_minutes: 15 },
      ]);
  });

  t.test('occupancy_hourly leaves out unconfirmed holds and released time, and counts walk-ins', async (t) => {
    await spec(t)
      .given([
        reserved(),
        reserved({ bookingId: 'bk-released', roomId: 'room-s02', holdExpiresAt: null }),
        timeReleased('cancelled', 'room-s02', '19:30', 'bk-released'),
        reserved({
          bookingId: 'bk-walk-in',
          roomId: 'room-s03',
          start: local('21:00'),
          end: local('22:00'),
          kind: 'walk_in',
          holdExpiresAt: null,
        }),
      ])
      .expectRows('occupancy_hourly', [
        { room_id: 'room-s03', business_date: BUSINESS_DATE, hour_start: at('21:00'), occupied_minutes: 60 },
      ]);
  });

  t.test('occupancy_hourly adds up the stays of one room within the same hour', async (t) => {
    await spec(t)
      .given([
        reserved({ bookingId: 'bk-a', start: local('18:00'), end: local('18:30'), holdExpiresAt: null }),
        reserved({ bookingId: 'bk-b', start: local('18:45'), end: local('19:45'), holdExpiresAt: null }),
      ])
      .expectRows('occupancy_hourly', [
        { room_id: 'room-s01', hour_start: at('18:00'), occupied_minutes: 45 },
        { room_id: 'room-s01', hour_start: at('19:00'), occupied_minutes: 45 },
      ]);
  });
});

t.test('redelivery', async (t) => {
  t.test('A redelivered BookingHeld and RoomTimeReserved leave one booking and one reservation, as first recorded', async (t) => {
    const s = spec(t).given([held(), reserved()]).redelivered();
    await s.expectRows('bookings', [heldRow]);
    await s.expectRows('room_reservations', [reservationRow]);
  });

  t.test('A redelivered batch of room-time changes leaves the reservations as after the first delivery', async (t) => {
    await spec(t)
      .given([reserved(), reserved({ bookingId: 'bk-2', roomId: 'room-s02' })])
      .when([timeConfirmed(), timeExtended(local('23:30'), 'room-s01', '22:30'), timeReleased('expired', 'room-s02', '19:16', 'bk-2')])
      .redelivered()
      .expectRows(
        'room_reservations',
        [
          { ...confirmedReservation, end_at: at('23:30'), busy_until: at('23:45'), updated_at: at('22:30') },
          { ...reservationRow, booking_id: 'bk-2', room_id: 'room-s02', status: 'released', updated_at: at('19:16') },
        ],
        { orderBy: 'booking_id' },
      );
  });

  t.test('A redelivered batch of status changes (check-in, move, check-out) leaves the booking as after the first delivery', async (t) => {
    await spec(t)
      .given([held(), confirmed(8820)])
      .when([checkedIn(), moved('room-s01', 'room-m01', 'medium', 44100, 29400), checkedOut(44100, 8820, local('23:05'))])
      .redelivered()
      .expectRows('bookings', [
        {
          ...confirmedRow,
          room_id: 'room-m01',
          room_type_id: 'medium',
          base_price: 44100,
          status: 'checked_out',
          bill: { ...bill(44100, 8820), refund: 0 },
          updated_at: at('23:05'),
          checked_out_at: at('23:05'),
        },
      ]);
  });
});
