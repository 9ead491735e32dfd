import t from 'tap';
import type { Selectable } from 'kysely';
import { paymentsProjection, type PaymentsDatabase, type PaymentsTable } from '../../projections/payments.js';
import type { PaymentEvent } from '../../src/events/payments.js';
import type { GivenEvent } from '../helpers/projection-spec.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';
import {
  BOOKING,
  GUEST,
  at,
  held,
  paymentClosed,
  paymentStarted,
  paymentSucceeded,
  refundFailed,
  refundRequested,
  refundSucceeded,
  walkIn,
} from './fixtures.js';

/**
 * `rm.payments`: every payment of a booking, its state and what was refunded.
 * The guest comes from the booking's BookingHeld (payment events name only the
 * booking), kept in the projection's own `payment_bookings`. `started_at` and
 * `paid_at` are the event's times; `updated_at` is when the store recorded the
 * event that last changed the row (here two seconds after the event's `at`).
 */
const spec = ProjectionSpecification.for<PaymentsDatabase>(t, paymentsProjection);

/** Recorded by the store two seconds after it was decided. */
const stored = (e: PaymentEvent): GivenEvent => ({ ...e, createdAt: new Date(Date.parse(e.data.at) + 2000) });
const twoSecondsAfter = (hhmm: string) => new Date(at(hhmm).getTime() + 2000);

const pending: Selectable<PaymentsTable> = {
  payment_id: 'pay-1',
  booking_id: BOOKING,
  guest_id: GUEST,
  purpose: 'deposit',
  method: 'wechatpay',
  amount: 8820,
  status: 'pending',
  transaction_id: null,
  paid_at: null,
  tendered: null,
  change: null,
  refunded: 0,
  started_at: at('19:01'),
  updated_at: twoSecondsAfter('19:01'),
};
const paid: Selectable<PaymentsTable> = {
  ...pending,
  status: 'succeeded',
  transaction_id: 'tx-pay-1',
  paid_at: at('19:04'),
  updated_at: twoSecondsAfter('19:04'),
};

t.test('BookingHeld remembers whose booking it is, for the payments to come, and adds no payment', async (t) => {
  const s = spec(t).given([held(), held({ bookingId: 'bk-anonymous', guestId: null })]);
  await s.expectRows(
    'payment_bookings',
    [
      { booking_id: BOOKING, guest_id: GUEST },
      { booking_id: 'bk-anonymous', guest_id: null },
    ],
    { orderBy: 'booking_id' },
  );
  await s.expectRows('payments', []);
});

t.test('PaymentStarted adds a pending payment naming the guest of its booking', async (t) => {
  await spec(t)
    .given([held()])
    .when([stored(paymentStarted('pay-1', 8820))])
    .expectRows('payments', [pending]);
});

t.test('PaymentStarted for a booking with no BookingHeld (a walk-in) names no guest', async (t) => {
  await spec(t)
    .given([walkIn()])
    .when([stored(paymentStarted('pay-w', 29400, { purpose: 'balance', method: 'cash', hhmm: '23:10', bookingId: 'bk-walk-in' }))])
    .expectRows('payments', [
      {
        ...pending,
        payment_id: 'pay-w',
        booking_id: 'bk-walk-in',
        guest_id: null,
        purpose: 'balance',
        method: 'cash',
        amount: 29400,
        started_at: at('23:10'),
        updated_at: twoSecondsAfter('23:10'),
      },
    ]);
});

t.test('PaymentSucceeded marks the payment paid with its transaction id and the time it was paid', async (t) => {
  await spec(t)
    .given([held(), stored(paymentStarted('pay-1', 8820))])
    .when([stored(paymentSucceeded('pay-1', 8820))])
    .expectRows('payments', [paid]);
});

t.test('PaymentSucceeded for cash at the desk keeps what the guest tendered and the change given back', async (t) => {
  const cash = paymentSucceeded('pay-w', 29400, { purpose: 'balance', method: 'cash', hhmm: '23:10', bookingId: 'bk-walk-in' });
  await spec(t)
    .given([
      walkIn(),
      stored(paymentStarted('pay-w', 29400, { purpose: 'balance', method: 'cash', hhmm: '23:10', bookingId: 'bk-walk-in' })),
    ])
    .when([stored({ ...cash, data: { ...cash.data, tendered: 30000, change: 600 } } as PaymentEvent)])
    .expectRows('payments', [
      {
        ...paid,
        payment_id: 'pay-w',
        booking_id: 'bk-walk-in',
        guest_id: null,
        purpose: 'balance',
        method: 'cash',
        amount: 29400,
        transaction_id: 'tx-pay-w',
        paid_at: at('23:10'),
        tendered: 30000,
        change: 600,
        started_at: at('23:10'),
        updated_at: twoSecondsAfter('23:10'),
      },
    ]);
});

t.test('PaymentClosed closes a payment that is still pending', async (t) => {
  await spec(t)
    .given([held(), stored(paymentStarted('pay-1', 8820))])
    .when([stored(paymentClosed('pay-1', '19:20'))])
    .expectRows('payments', [{ ...pending, status: 'closed', updated_at: twoSecondsAfter('19:20') }]);
});

t.test('PaymentClosed after the payment succeeded leaves it succeeded, as it was', async (t) => {
  await spec(t)
    .given([held(), stored(paymentStarted('pay-1', 8820)), stored(paymentSucceeded('pay-1', 8820))])
    .when([stored(paymentClosed('pay-1', '19:20'))])
    .expectRows('payments', [paid]);
});

t.test('PaymentSucceeded after the payment was closed (a late provider callback) marks it paid: the money did arrive', async (t) => {
  await spec(t)
    .given([held(), stored(paymentStarted('pay-1', 8820)), stored(paymentClosed('pay-1', '19:20'))])
    .when([stored(paymentSucceeded('pay-1', 8820, { hhmm: '19:21' }))])
    .expectRows('payments', [{ ...paid, paid_at: at('19:21'), updated_at: twoSecondsAfter('19:21') }]);
});

t.test('RefundSucceeded adds the amount to what was refunded; two partial refunds add up', async (t) => {
  await spec(t)
    .given([held(), stored(paymentStarted('pay-1', 8820)), stored(paymentSucceeded('pay-1', 8820))])
    .when([
      stored(refundSucceeded('pay-1', 'rf-1', 3000, { hhmm: '19:40' })),
      stored(refundSucceeded('pay-1', 'rf-2', 5820, { hhmm: '19:50' })),
    ])
    .expectRows('payments', [{ ...paid, refunded: 8820, updated_at: twoSecondsAfter('19:50') }]);
});

t.test('RefundRequested and RefundFailed are not read: what was refunded moves only when a refund succeeds', async (t) => {
  await spec(t)
    .given([held(), stored(paymentStarted('pay-1', 8820)), stored(paymentSucceeded('pay-1', 8820))])
    .when([stored(refundRequested('pay-1', 'rf-1', 8820, '19:30')), stored(refundFailed('pay-1', 'rf-1', '19:40'))])
    .expectRows('payments', [paid]);
});

t.test('Payments of different bookings keep to their own rows and guests', async (t) => {
  await spec(t)
    .given([held(), held({ bookingId: 'bk-2', guestId: 'user-other', roomId: 'room-s02' })])
    .when([
      stored(paymentStarted('pay-1', 8820)),
      stored(paymentStarted('pay-2', 5000, { bookingId: 'bk-2', method: 'card' })),
      stored(paymentSucceeded('pay-2', 5000, { method: 'card', bookingId: 'bk-2' })),
    ])
    .expectRows(
      'payments',
      [
        { payment_id: 'pay-1', booking_id: BOOKING, guest_id: GUEST, method: 'wechatpay', amount: 8820, status: 'pending' },
        { payment_id: 'pay-2', booking_id: 'bk-2', guest_id: 'user-other', method: 'card', amount: 5000, status: 'succeeded' },
      ],
      { orderBy: 'payment_id' },
    );
});

t.test('A redelivered batch of a hold, a payment started and its success leaves one payment, as after the first delivery', async (t) => {
  const s = spec(t)
    .given([held(), stored(paymentStarted('pay-1', 8820)), stored(paymentSucceeded('pay-1', 8820))])
    .redelivered();
  await s.expectRows('payments', [paid]);
  await s.expectRows('payment_bookings', [{ booking_id: BOOKING, guest_id: GUEST }]);
});

t.test('A redelivered PaymentClosed leaves the payment closed', async (t) => {
  await spec(t)
    .given([held(), stored(paymentStarted('pay-1', 8820))])
    .when([stored(paymentClosed('pay-1', '19:20'))])
    .redelivered()
    .expectRows('payments', [{ ...pending, status: 'closed', updated_at: twoSecondsAfter('19:20') }]);
});
