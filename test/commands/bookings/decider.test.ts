import t from 'tap';
import { bookingDecider, type AdjustAuthority, type BookingCommand } from '../../../commands/bookings/decider.js';
import { ConflictError, UnprocessableError } from '../../../src/errors.js';
import type { AdjustmentApproval, BookingEvent, Price } from '../../../src/events/bookings.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/**
 * The booking's life: hold → confirm → check in → (extend, move) → check out,
 * or cancel, expire, no-show. Times are Asia/Shanghai wall times on the
 * business day of Friday 2026-03-13; the booking is 20:00–22:00.
 */
const spec = DeciderSpecification.for(bookingDecider);

/** A local time on the venue's clock (UTC+8), as an instant. */
const local = (dateTime: string) => new Date(`${dateTime.replace(' ', 'T')}:00+08:00`);
const iso = (dateTime: string) => local(dateTime).toISOString();

const GUEST = 'user-guest';
const WAITER = 'user-waiter';
const BOOKING = 'bk-1';

/** `minutes` of prime time at 90.00 元 an hour (9000 fen). */
const primeTime = (minutes: number, deposit: number): Price => {
  const total = (9000 * minutes) / 60;
  return {
    total,
    deposit,
    currency: 'CNY',
    rateCardVersion: 1,
    breakdown: {
      bands: [{ bandId: 'prime', dayKind: 'weekday', minutes, hourlyRate: 9000, amount: total }],
      package: null,
      subtotal: total,
      discount: { level: 'regular', percent: 0, amount: 0 },
      minimumSpend: { amount: 0, topUp: 0 },
    },
    dynamic: null,
  };
};
/** 20:00–22:00: 180.00 元, deposit 30 % = 54.00 元. */
const PRICE = primeTime(120, 5400);
/** One more hour: 90.00 元 (its deposit, 27.00 元, is raised to the 50.00 元 minimum). */
const HOUR_MORE = primeTime(60, 5000);

const heldData = {
  bookingId: BOOKING,
  roomId: 'room-s01',
  roomTypeId: 'small',
  guestId: GUEST,
  guestName: null,
  guestPhone: null,
  bookedBy: GUEST,
  partySize: 3,
  start: iso('2026-03-13 20:00'),
  end: iso('2026-03-13 22:00'),
  businessDate: '2026-03-13',
  holdExpiresAt: iso('2026-03-13 10:15'),
  price: PRICE,
  at: iso('2026-03-13 10:00'),
};
const walkInData = {
  bookingId: 'bk-walk-in',
  roomId: 'room-s02',
  roomTypeId: 'small',
  guestName: 'Li Lei',
  guestPhone: null,
  bookedBy: WAITER,
  partySize: 2,
  start: iso('2026-03-13 20:00'),
  end: iso('2026-03-13 22:00'),
  businessDate: '2026-03-13',
  price: PRICE,
  at: iso('2026-03-13 20:00'),
};

const held: BookingEvent = { type: 'BookingHeld', data: heldData };
const walkedIn: BookingEvent = { type: 'WalkInStarted', data: walkInData };
const confirmed = (amountPaid = 5400, paymentId: string | null = 'pay-1'): BookingEvent => ({
  type: 'BookingConfirmed',
  data: { bookingId: BOOKING, paymentId, amountPaid, by: GUEST, at: iso('2026-03-13 10:05') },
});
/** A part of the deposit paid from stored value; `due` is what it leaves owed. */
const partPaid = (amount: number, due: number, paymentId = 'sv-1', at = '2026-03-13 10:03'): BookingEvent => ({
  type: 'DepositPartPaid',
  data: { bookingId: BOOKING, paymentId, amount, due, by: GUEST, at: iso(at) },
});
const checkedIn: BookingEvent = { type: 'BookingCheckedIn', data: { bookingId: BOOKING, by: WAITER, at: iso('2026-03-13 19:50') } };
const cancelled: BookingEvent = {
  type: 'BookingCancelled',
  data: { bookingId: BOOKING, reason: 'plans changed', refund: 5400, overridden: false, by: GUEST, at: iso('2026-03-13 12:00') },
};
const expired: BookingEvent = { type: 'BookingExpired', data: { bookingId: BOOKING, at: iso('2026-03-13 10:16') } };
const checkedOut: BookingEvent = {
  type: 'BookingCheckedOut',
  data: {
    bookingId: BOOKING,
    bill: { total: 18000, paid: 5400, due: 12600, currency: 'CNY', lines: [{ kind: 'room', description: 'Room', amount: 18000 }] },
    by: WAITER,
    at: iso('2026-03-13 22:00'),
  },
};
const noShow: BookingEvent = {
  type: 'BookingMarkedNoShow',
  data: { bookingId: BOOKING, forfeited: 5400, by: WAITER, at: iso('2026-03-13 20:30') },
};
const extended: BookingEvent = {
  type: 'BookingExtended',
  data: { bookingId: BOOKING, minutes: 60, end: iso('2026-03-13 23:00'), price: HOUR_MORE, by: WAITER, at: iso('2026-03-13 21:30') },
};
const moved = (newTotal: number): BookingEvent => ({
  type: 'BookingMoved',
  data: {
    bookingId: BOOKING,
    fromRoomId: 'room-s01',
    toRoomId: 'room-m01',
    toRoomTypeId: 'medium',
    priceDifference: newTotal - 18000,
    newTotal,
    minimumSpend: 0,
    by: WAITER,
    at: iso('2026-03-13 19:00'),
  },
});

const conflict = (bookingStatus: string) => ({ is: ConflictError, status: 409, detail: { bookingStatus } });

// Commands, each at a given local time.
const hold = (now = '2026-03-13 10:00'): BookingCommand => ({ type: 'Hold', data: heldData, now: local(now), by: GUEST });
const startWalkIn = (): BookingCommand => ({ type: 'StartWalkIn', data: walkInData, now: local('2026-03-13 20:00'), by: WAITER });
const confirm = (now: string, amount = 5400, paymentId: string | null = 'pay-1'): BookingCommand => ({
  type: 'Confirm',
  paymentId,
  amount,
  now: local(now),
  by: GUEST,
});
const payPart = (now: string, amount: number, paymentId = 'sv-1'): BookingCommand => ({
  type: 'PayDepositPart',
  paymentId,
  amount,
  now: local(now),
  by: GUEST,
});
const cancel = (now: string, override = false): BookingCommand => ({
  type: 'Cancel',
  reason: 'plans changed',
  override,
  fullRefundMinutesBefore: 120,
  now: local(now),
  by: GUEST,
});
const expire = (now: string): BookingCommand => ({ type: 'Expire', now: local(now), by: 'system' });
const checkIn = (now: string): BookingCommand => ({ type: 'CheckIn', opensMinutesBefore: 30, now: local(now), by: WAITER });
/** One more hour from the end the caller read (the booked 22:00 unless said). */
const extend = (now: string, from = '2026-03-13 22:00'): BookingCommand => ({
  type: 'Extend',
  from: local(from),
  minutes: 60,
  price: HOUR_MORE,
  now: local(now),
  by: WAITER,
});
const move = (toRoomId: string, newTotal: number, now = '2026-03-13 19:00'): BookingCommand => ({
  type: 'Move',
  toRoomId,
  toRoomTypeId: 'medium',
  newTotal,
  minimumSpend: 0,
  now: local(now),
  by: WAITER,
});
const checkOut = (
  now = '2026-03-13 22:00',
  vatRatePercent = 0,
  overtime: { minutes: number; amount: number } | null = null,
): BookingCommand => ({
  type: 'CheckOut',
  vatRatePercent,
  overtime,
  timeUsed: null,
  now: local(now),
  by: WAITER,
});
const markNoShow = (now: string): BookingCommand => ({ type: 'MarkNoShow', graceMinutes: 30, now: local(now), by: WAITER });

t.test('hold: a new booking is held with its price and hold expiry as given', async (t) => {
  spec(t).given([]).when(hold()).then([held]);
});

t.test('hold: the same hold step retried on an existing booking records nothing', async (t) => {
  spec(t).given([held]).when(hold('2026-03-13 10:01')).thenNothing();
  spec(t).given([held, confirmed()]).when(hold('2026-03-13 10:06')).thenNothing('not even once confirmed');
});

t.test('walk-in: a walk-in starts checked in, with no hold', async (t) => {
  spec(t).given([]).when(startWalkIn()).then([walkedIn]);
});

t.test('walk-in: the same walk-in retried records nothing', async (t) => {
  spec(t).given([walkedIn]).when(startWalkIn()).thenNothing();
});

t.test('any command but hold or walk-in on an unknown booking is refused with booking_not_found', async (t) => {
  for (const command of [
    confirm('2026-03-13 10:05'),
    cancel('2026-03-13 12:00'),
    expire('2026-03-13 10:16'),
    checkIn('2026-03-13 19:50'),
    extend('2026-03-13 21:00'),
    move('room-m01', 20000),
    checkOut(),
    markNoShow('2026-03-13 20:30'),
  ]) {
    spec(t).given([]).when(command).thenThrows('booking_not_found', { is: ConflictError, status: 409 }, `${command.type} on no booking`);
  }
});

t.test('confirm: a held booking paid before its hold expires is confirmed with the payment and amount', async (t) => {
  spec(t).given([held]).when(confirm('2026-03-13 10:05')).then([confirmed()]);
});

t.test('confirm: a desk confirmation without an online payment records no payment id', async (t) => {
  spec(t)
    .given([held])
    .when(confirm('2026-03-13 10:05', 0, null))
    .then([confirmed(0, null)]);
});

t.test('confirm: a second confirmation of a confirmed booking records nothing', async (t) => {
  spec(t).given([held, confirmed()]).when(confirm('2026-03-13 10:06')).thenNothing();
});

t.test('confirm: a hold reached at or after its expiry is refused with hold_expired, even before the expiry is recorded', async (t) => {
  spec(t)
    .given([held])
    .when(confirm('2026-03-13 10:15'))
    .thenThrows('hold_expired', { is: ConflictError, status: 409 }, 'at the expiry instant');
  spec(t).given([held]).when(confirm('2026-03-13 11:00')).thenThrows('hold_expired', { is: ConflictError }, 'later');
});

t.test('confirm: an expired, cancelled or checked-in booking cannot be confirmed', async (t) => {
  spec(t).given([held, expired]).when(confirm('2026-03-13 10:20')).thenThrows('booking_expired', conflict('expired'));
  spec(t).given([held, cancelled]).when(confirm('2026-03-13 12:05')).thenThrows('booking_cancelled', conflict('cancelled'));
  spec(t).given([held, confirmed(), checkedIn]).when(confirm('2026-03-13 19:55')).thenThrows('booking_checked_in', conflict('checked_in'));
});

t.test('deposit in parts: a held booking takes a part of its deposit and records what is still due', async (t) => {
  spec(t)
    .given([held])
    .when(payPart('2026-03-13 10:03', 2000))
    .then([partPaid(2000, 3400)]);
  spec(t)
    .given([held, partPaid(2000, 3400)])
    .when(payPart('2026-03-13 10:04', 1000, 'sv-2'))
    .then([partPaid(1000, 2400, 'sv-2', '2026-03-13 10:04')], 'a second part counts the first');
});

t.test('deposit in parts: the same payment applied again records nothing', async (t) => {
  spec(t)
    .given([held, partPaid(2000, 3400)])
    .when(payPart('2026-03-13 10:05', 2000))
    .thenNothing();
});

t.test('deposit in parts: nothing, or all that is still due, is no part (not_a_part): the rest confirms the booking', async (t) => {
  const notAPart = (due: number) => ({ is: UnprocessableError, status: 422, detail: { field: 'amount', due } });
  spec(t).given([held]).when(payPart('2026-03-13 10:03', 0)).thenThrows('not_a_part', notAPart(5400), 'nothing');
  spec(t).given([held]).when(payPart('2026-03-13 10:03', 5400)).thenThrows('not_a_part', notAPart(5400), 'the whole deposit');
  spec(t)
    .given([held, partPaid(2000, 3400)])
    .when(payPart('2026-03-13 10:04', 3400, 'sv-2'))
    .thenThrows('not_a_part', notAPart(3400), 'the rest after a part');
});

t.test('deposit in parts: only a held booking within its hold takes a part', async (t) => {
  spec(t).given([held]).when(payPart('2026-03-13 10:15', 2000)).thenThrows('hold_expired', { is: ConflictError, status: 409 });
  spec(t).given([held, expired]).when(payPart('2026-03-13 10:20', 2000)).thenThrows('booking_expired', conflict('expired'));
  spec(t)
    .given([held, confirmed()])
    .when(payPart('2026-03-13 10:06', 2000, 'sv-9'))
    .thenThrows('booking_confirmed', conflict('confirmed'));
  spec(t).given([held, cancelled]).when(payPart('2026-03-13 12:05', 2000)).thenThrows('booking_cancelled', conflict('cancelled'));
});

t.test('deposit in parts: the rest confirms, and cancelling in time gives back every part', async (t) => {
  spec(t)
    .given([held, partPaid(2000, 3400)])
    .when(confirm('2026-03-13 10:05', 3400, 'pay-2'))
    .then([confirmed(3400, 'pay-2')]);
  spec(t)
    .given([held, partPaid(2000, 3400), confirmed(3400, 'pay-2')])
    .when(cancel('2026-03-13 12:00'))
    .then([
      {
        type: 'BookingCancelled',
        data: { bookingId: BOOKING, reason: 'plans changed', refund: 5400, overridden: false, by: GUEST, at: iso('2026-03-13 12:00') },
      },
    ]);
});

t.test('deposit in parts: a held booking was never confirmed, so cancelling it gives back its parts even after the cut-off', async (t) => {
  spec(t)
    .given([held, partPaid(2000, 3400)])
    .when(cancel('2026-03-13 19:00'))
    .then([
      {
        type: 'BookingCancelled',
        data: { bookingId: BOOKING, reason: 'plans changed', refund: 2000, overridden: false, by: GUEST, at: iso('2026-03-13 19:00') },
      },
    ]);
});

t.test('cancel: a confirmed booking cancelled at least 2 hours before its start gets everything paid back', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(cancel('2026-03-13 12:00'))
    .then([
      {
        type: 'BookingCancelled',
        data: { bookingId: BOOKING, reason: 'plans changed', refund: 5400, overridden: false, by: GUEST, at: iso('2026-03-13 12:00') },
      },
    ]);
});

t.test('cancel: exactly at the cut-off (18:00 for a 20:00 start) still refunds in full', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(cancel('2026-03-13 18:00'))
    .then([
      {
        type: 'BookingCancelled',
        data: { bookingId: BOOKING, reason: 'plans changed', refund: 5400, overridden: false, by: GUEST, at: iso('2026-03-13 18:00') },
      },
    ]);
});

t.test('cancel: after the cut-off nothing is refunded', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(cancel('2026-03-13 18:01'))
    .then([
      {
        type: 'BookingCancelled',
        data: { bookingId: BOOKING, reason: 'plans changed', refund: 0, overridden: false, by: GUEST, at: iso('2026-03-13 18:01') },
      },
    ]);
});

t.test('cancel: staff overriding after the cut-off refund in full, and the override is recorded', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(cancel('2026-03-13 19:00', true))
    .then([
      {
        type: 'BookingCancelled',
        data: { bookingId: BOOKING, reason: 'plans changed', refund: 5400, overridden: true, by: GUEST, at: iso('2026-03-13 19:00') },
      },
    ]);
});

t.test('cancel: an override in time is not recorded as an override', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(cancel('2026-03-13 12:00', true))
    .then([
      {
        type: 'BookingCancelled',
        data: { bookingId: BOOKING, reason: 'plans changed', refund: 5400, overridden: false, by: GUEST, at: iso('2026-03-13 12:00') },
      },
    ]);
});

t.test('cancel: an unpaid hold is cancelled with nothing to refund', async (t) => {
  spec(t)
    .given([held])
    .when(cancel('2026-03-13 10:05'))
    .then([
      {
        type: 'BookingCancelled',
        data: { bookingId: BOOKING, reason: 'plans changed', refund: 0, overridden: false, by: GUEST, at: iso('2026-03-13 10:05') },
      },
    ]);
});

t.test('cancel: cancelling a cancelled booking again records nothing', async (t) => {
  spec(t).given([held, confirmed(), cancelled]).when(cancel('2026-03-13 12:01')).thenNothing();
});

t.test('cancel: a checked-in, checked-out, expired or no-show booking cannot be cancelled', async (t) => {
  spec(t).given([held, confirmed(), checkedIn]).when(cancel('2026-03-13 20:00')).thenThrows('booking_checked_in', conflict('checked_in'));
  spec(t)
    .given([held, confirmed(), checkedIn, checkedOut])
    .when(cancel('2026-03-13 22:05'))
    .thenThrows('booking_checked_out', conflict('checked_out'));
  spec(t).given([held, expired]).when(cancel('2026-03-13 10:20')).thenThrows('booking_expired', conflict('expired'));
  spec(t).given([held, confirmed(), noShow]).when(cancel('2026-03-13 20:31')).thenThrows('booking_no_show', conflict('no_show'));
});

t.test('expire: a hold past its expiry is expired', async (t) => {
  spec(t)
    .given([held])
    .when(expire('2026-03-13 10:16'))
    .then([{ type: 'BookingExpired', data: { bookingId: BOOKING, at: iso('2026-03-13 10:16') } }]);
});

t.test('expire: a hold expires at its expiry instant', async (t) => {
  spec(t)
    .given([held])
    .when(expire('2026-03-13 10:15'))
    .then([{ type: 'BookingExpired', data: { bookingId: BOOKING, at: iso('2026-03-13 10:15') } }]);
});

t.test('expire: a hold not yet expired is left alone', async (t) => {
  spec(t).given([held]).when(expire('2026-03-13 10:14')).thenNothing();
});

t.test('expire: a booking confirmed, cancelled or already expired is left alone', async (t) => {
  spec(t).given([held, confirmed()]).when(expire('2026-03-13 10:16')).thenNothing('confirmed in time');
  spec(t).given([held, cancelled]).when(expire('2026-03-13 12:01')).thenNothing('cancelled');
  spec(t).given([held, expired]).when(expire('2026-03-13 10:17')).thenNothing('expired, retried');
});

t.test('check-in: a confirmed booking checks in from 30 minutes before its start', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(checkIn('2026-03-13 19:30'))
    .then([{ type: 'BookingCheckedIn', data: { bookingId: BOOKING, by: WAITER, at: iso('2026-03-13 19:30') } }]);
});

t.test('check-in: a late guest may still check in during the booked time', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(checkIn('2026-03-13 21:59'))
    .then([{ type: 'BookingCheckedIn', data: { bookingId: BOOKING, by: WAITER, at: iso('2026-03-13 21:59') } }]);
});

t.test('check-in: earlier than 30 minutes before the start is refused with check_in_too_early and when it opens', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(checkIn('2026-03-13 19:29'))
    .thenThrows('check_in_too_early', { is: ConflictError, status: 409, detail: { opensAt: iso('2026-03-13 19:30') } });
});

t.test('check-in: once the booked time is over it is refused with booking_over', async (t) => {
  spec(t).given([held, confirmed()]).when(checkIn('2026-03-13 22:00')).thenThrows('booking_over', { is: ConflictError, status: 409 });
});

t.test('check-in: checking in again, or a walk-in, records nothing', async (t) => {
  spec(t).given([held, confirmed(), checkedIn]).when(checkIn('2026-03-13 19:51')).thenNothing('checked in already');
  spec(t).given([walkedIn]).when(checkIn('2026-03-13 20:01')).thenNothing('a walk-in starts checked in');
});

t.test('check-in: a held (unpaid), cancelled or checked-out booking cannot be checked in', async (t) => {
  spec(t).given([held]).when(checkIn('2026-03-13 10:05')).thenThrows('booking_held', conflict('held'));
  spec(t).given([held, cancelled]).when(checkIn('2026-03-13 19:50')).thenThrows('booking_cancelled', conflict('cancelled'));
  spec(t)
    .given([held, confirmed(), checkedIn, checkedOut])
    .when(checkIn('2026-03-13 21:00'))
    .thenThrows('booking_checked_out', conflict('checked_out'));
});

t.test('extend: a checked-in booking gets the extra minutes and their price', async (t) => {
  spec(t).given([held, confirmed(), checkedIn]).when(extend('2026-03-13 21:30')).then([extended]);
});

t.test('extend: a confirmed booking not yet checked in can be extended too', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(extend('2026-03-13 15:00'))
    .then([{ type: 'BookingExtended', data: { ...extended.data, at: iso('2026-03-13 15:00') } }]);
});

t.test('extend: a second extension runs on from the end of the first', async (t) => {
  spec(t)
    .given([held, confirmed(), checkedIn, extended])
    .when(extend('2026-03-13 22:30', '2026-03-13 23:00'))
    .then([{ type: 'BookingExtended', data: { ...extended.data, end: iso('2026-03-14 00:00'), at: iso('2026-03-13 22:30') } }]);
});

t.test('extend: the same extension decided twice (two clicks read the same end) is recorded and billed once', async (t) => {
  spec(t).given([held, confirmed(), checkedIn, extended]).when(extend('2026-03-13 21:31')).thenNothing();
});

t.test('extend: an extension decided on an end that has changed otherwise is refused', async (t) => {
  spec(t)
    .given([held, confirmed(), checkedIn, extended])
    .when(extend('2026-03-13 21:31', '2026-03-13 22:30'))
    .thenThrows('booking_changed', { is: ConflictError, status: 409 });
});

t.test('extend: a held, checked-out or cancelled booking cannot be extended', async (t) => {
  spec(t).given([held]).when(extend('2026-03-13 10:05')).thenThrows('booking_held', conflict('held'));
  spec(t)
    .given([held, confirmed(), checkedIn, checkedOut])
    .when(extend('2026-03-13 22:05'))
    .thenThrows('booking_checked_out', conflict('checked_out'));
  spec(t).given([held, cancelled]).when(extend('2026-03-13 12:05')).thenThrows('booking_cancelled', conflict('cancelled'));
});

t.test('move: a confirmed booking moves to another room, recording the new total and the difference', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(move('room-m01', 27000))
    .then([moved(27000)]);
});

t.test('move: a held or checked-in booking can move too', async (t) => {
  spec(t)
    .given([held])
    .when(move('room-m01', 27000))
    .then([moved(27000)], 'held');
  spec(t)
    .given([held, confirmed(), checkedIn])
    .when(move('room-m01', 27000))
    .then([moved(27000)], 'checked in');
});

t.test('move: a move to a cheaper room records a negative difference', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(move('room-m01', 15000))
    .then([moved(15000)]);
});

t.test('move: a second move prices the difference from the total in force after the first', async (t) => {
  spec(t)
    .given([held, confirmed(), moved(27000)])
    .when({
      type: 'Move',
      toRoomId: 'room-l01',
      toRoomTypeId: 'large',
      newTotal: 40000,
      minimumSpend: 30000,
      now: local('2026-03-13 19:10'),
      by: WAITER,
    })
    .then([
      {
        type: 'BookingMoved',
        data: {
          bookingId: BOOKING,
          fromRoomId: 'room-m01',
          toRoomId: 'room-l01',
          toRoomTypeId: 'large',
          priceDifference: 13000,
          newTotal: 40000,
          minimumSpend: 30000,
          by: WAITER,
          at: iso('2026-03-13 19:10'),
        },
      },
    ]);
});

t.test('move: a move into the room the booking already has records nothing', async (t) => {
  spec(t).given([held, confirmed()]).when(move('room-s01', 18000)).thenNothing('never moved');
  spec(t)
    .given([held, confirmed(), moved(27000)])
    .when(move('room-m01', 27000, '2026-03-13 19:01'))
    .thenNothing('the same move retried');
});

t.test('move: a cancelled, expired, checked-out or no-show booking cannot move', async (t) => {
  spec(t).given([held, cancelled]).when(move('room-m01', 27000)).thenThrows('booking_cancelled', conflict('cancelled'));
  spec(t).given([held, expired]).when(move('room-m01', 27000)).thenThrows('booking_expired', conflict('expired'));
  spec(t)
    .given([held, confirmed(), checkedIn, checkedOut])
    .when(move('room-m01', 27000))
    .thenThrows('booking_checked_out', conflict('checked_out'));
  spec(t).given([held, confirmed(), noShow]).when(move('room-m01', 27000)).thenThrows('booking_no_show', conflict('no_show'));
});

t.test('check-out: the bill is the room price less what was paid', async (t) => {
  // 180.00 元 room, 54.00 元 deposit paid: 126.00 元 due.
  spec(t).given([held, confirmed(), checkedIn]).when(checkOut()).then([checkedOut]);
});

t.test('check-out: extensions are added to the bill, and a move replaces the room price', async (t) => {
  // Moved to a 270.00 元 room, extended by an hour at 90.00 元: 360.00 元, 54.00 元 paid, 306.00 元 due.
  spec(t)
    .given([held, confirmed(), moved(27000), checkedIn, extended])
    .when(checkOut('2026-03-13 23:00'))
    .then([
      {
        type: 'BookingCheckedOut',
        data: {
          bookingId: BOOKING,
          bill: {
            total: 36000,
            paid: 5400,
            due: 30600,
            currency: 'CNY',
            lines: [
              { kind: 'room', description: 'Room', amount: 27000 },
              { kind: 'extension', description: 'Extension', amount: 9000 },
            ],
          },
          by: WAITER,
          at: iso('2026-03-13 23:00'),
        },
      },
    ]);
});

t.test('check-out: paid more than the bill (a move to a cheaper room) leaves nothing due, never a negative due', async (t) => {
  // Paid 180.00 元 in full, moved to a 150.00 元 room: due max(0, 150.00 − 180.00) = 0.
  spec(t)
    .given([held, confirmed(18000), moved(15000), checkedIn])
    .when(checkOut())
    .then([
      {
        type: 'BookingCheckedOut',
        data: {
          bookingId: BOOKING,
          bill: { total: 15000, paid: 18000, due: 0, currency: 'CNY', lines: [{ kind: 'room', description: 'Room', amount: 15000 }] },
          by: WAITER,
          at: iso('2026-03-13 22:00'),
        },
      },
    ]);
});

t.test('check-out: a walk-in pays the whole price at check-out', async (t) => {
  spec(t)
    .given([walkedIn])
    .when(checkOut())
    .then([
      {
        type: 'BookingCheckedOut',
        data: {
          bookingId: 'bk-walk-in',
          bill: { total: 18000, paid: 0, due: 18000, currency: 'CNY', lines: [{ kind: 'room', description: 'Room', amount: 18000 }] },
          by: WAITER,
          at: iso('2026-03-13 22:00'),
        },
      },
    ]);
});

const BEER = {
  lineNo: 1,
  productId: 'p-beer',
  name: 'Tsingtao',
  category: 'drinks',
  unit: 'bottle',
  quantity: 6,
  unitPrice: 1500,
  amount: 9000,
};
const FRUIT = {
  lineNo: 2,
  productId: 'p-fruit',
  name: 'Fruit platter',
  category: 'fruit',
  unit: 'plate',
  quantity: 1,
  unitPrice: 6800,
  amount: 6800,
};
const placeOrder = (orderId = 'order-1', now = '2026-03-13 20:30'): BookingCommand => ({
  type: 'PlaceOrder',
  orderId,
  lines: [BEER, FRUIT],
  now: local(now),
  by: WAITER,
});
const orderPlaced: BookingEvent = {
  type: 'OrderPlaced',
  data: { bookingId: BOOKING, orderId: 'order-1', lines: [BEER, FRUIT], total: 15800, by: WAITER, at: iso('2026-03-13 20:30') },
};
const beerVoided: BookingEvent = {
  type: 'OrderLineVoided',
  data: {
    bookingId: BOOKING,
    orderId: 'order-1',
    lineNo: 1,
    productId: 'p-beer',
    quantity: 6,
    amount: 9000,
    reason: 'spilled',
    by: 'user-manager',
    at: iso('2026-03-13 21:00'),
  },
};
const voidBeer = (now = '2026-03-13 21:00'): BookingCommand => ({
  type: 'VoidOrderLine',
  orderId: 'order-1',
  lineNo: 1,
  reason: 'spilled',
  now: local(now),
  by: 'user-manager',
});

t.test('orders: a party in its room orders food and drink, priced as given', async (t) => {
  spec(t).given([held, confirmed(), checkedIn]).when(placeOrder()).then([orderPlaced]);
});

t.test('orders: the same order retried records nothing', async (t) => {
  spec(t).given([held, confirmed(), checkedIn, orderPlaced]).when(placeOrder('order-1', '2026-03-13 20:31')).thenNothing();
});

t.test('orders: only a party checked in can order (not_in_room)', async (t) => {
  spec(t).given([held, confirmed()]).when(placeOrder()).thenThrows('not_in_room', { status: 409 });
  spec(t).given([held, confirmed(), checkedIn, checkedOut]).when(placeOrder('order-2')).thenThrows('not_in_room', { status: 409 });
});

t.test('orders: a voided line leaves the bill; voiding it again records nothing; an unknown line is not found', async (t) => {
  spec(t).given([held, confirmed(), checkedIn, orderPlaced]).when(voidBeer()).then([beerVoided]);
  spec(t).given([held, confirmed(), checkedIn, orderPlaced, beerVoided]).when(voidBeer('2026-03-13 21:01')).thenNothing();
  spec(t)
    .given([held, confirmed(), checkedIn, orderPlaced])
    .when({ type: 'VoidOrderLine', orderId: 'order-1', lineNo: 9, reason: 'x', now: local('2026-03-13 21:00'), by: 'user-manager' })
    .thenThrows('not_found', { status: 404 });
});

t.test('check-out: products are billed one line per product, voided lines left out, after room and extension', async (t) => {
  // 180.00 元 room + 68.00 元 fruit (the beer voided) = 248.00 元; 54.00 元 paid.
  spec(t)
    .given([held, confirmed(), checkedIn, orderPlaced, beerVoided])
    .when(checkOut())
    .then([
      {
        type: 'BookingCheckedOut',
        data: {
          bookingId: BOOKING,
          bill: {
            total: 24800,
            paid: 5400,
            due: 19400,
            currency: 'CNY',
            lines: [
              { kind: 'room', description: 'Room', amount: 18000 },
              { kind: 'product', description: 'Fruit platter × 1 plate', amount: 6800 },
            ],
          },
          by: WAITER,
          at: iso('2026-03-13 22:00'),
        },
      },
    ]);
});

const adjust = (
  kind: 'discount' | 'comp' | 'round_off',
  o: { amount?: number; percent?: number; id?: string; authority?: AdjustAuthority; by?: string } = {},
): BookingCommand => ({
  type: 'Adjust',
  adjustmentId: o.id ?? 'adj-1',
  kind,
  amount: o.amount ?? null,
  percent: o.percent ?? null,
  reason: 'regulars',
  authority: o.authority ?? { kind: 'manager' },
  now: local('2026-03-13 21:30'),
  by: o.by ?? 'user-manager',
});
const adjusted = (
  kind: 'discount' | 'comp' | 'round_off',
  amount: number,
  percent: number | null = null,
  id = 'adj-1',
  who: { requestedBy?: string; approvedBy?: string; approval?: AdjustmentApproval; requestId?: string } = {},
): BookingEvent => ({
  type: 'BillAdjusted',
  data: {
    bookingId: BOOKING,
    adjustmentId: id,
    kind,
    amount,
    percent,
    reason: 'regulars',
    requestedBy: who.requestedBy ?? 'user-manager',
    approvedBy: who.approvedBy ?? 'user-manager',
    approval: who.approval ?? 'manager',
    ...(who.requestId ? { requestId: who.requestId } : {}),
    at: iso('2026-03-13 21:30'),
  },
});

t.test('adjustments: a waiter corrects a bill on their own up to the venue’s limit for it, and no further', async (t) => {
  const waiter = (amount: number, id: string) => adjust('discount', { amount, id, authority: { kind: 'waiter', limit: 3000 }, by: WAITER });
  const byWaiter = { requestedBy: WAITER, approvedBy: WAITER, approval: 'waiter_limit' as const };
  spec(t)
    .given([held, confirmed(), checkedIn])
    .when(waiter(2000, 'adj-1'))
    .then([adjusted('discount', 2000, null, 'adj-1', byWaiter)]);
  spec(t)
    .given([held, confirmed(), checkedIn, adjusted('discount', 2000, null, 'adj-1', byWaiter)])
    .when(waiter(1500, 'adj-2'))
    .thenThrows('forbidden', { status: 403 });
  spec(t)
    .given([held, confirmed(), checkedIn, adjusted('discount', 2000, null, 'adj-1', byWaiter), adjusted('discount', 5000, null, 'adj-m')])
    .when(waiter(1000, 'adj-2'))
    .then([adjusted('discount', 1000, null, 'adj-2', byWaiter)], 'what managers took off does not count against the waiters’ limit');
  spec(t)
    .given([held, confirmed()])
    .when(adjust('comp', { authority: { kind: 'waiter', limit: 0 }, by: WAITER }))
    .thenThrows('forbidden', { status: 403 });
});

t.test('adjustments: a manager approving a waiter’s request is the approver, the waiter the one who asked', async (t) => {
  spec(t)
    .given([held, confirmed(), checkedIn])
    .when(adjust('comp', { id: 'req-1', authority: { kind: 'request', requestedBy: WAITER } }))
    .then([adjusted('comp', 18000, null, 'req-1', { requestedBy: WAITER, approval: 'request', requestId: 'req-1' })]);
});

t.test('adjustments: a discount by percent or amount of the bill as it stands, named and approved', async (t) => {
  // The bill stands at 180.00 room + 158.00 products = 338.00; 10 % is 33.80.
  spec(t)
    .given([held, confirmed(), checkedIn, orderPlaced])
    .when(adjust('discount', { percent: 10 }))
    .then([adjusted('discount', 3380, 10)]);
  spec(t)
    .given([held, confirmed(), checkedIn])
    .when(adjust('discount', { amount: 2000 }))
    .then([adjusted('discount', 2000)]);
});

t.test('adjustments: a comp covers the whole bill as it stands; what is ordered after it is billed', async (t) => {
  const comped = [held, confirmed(), checkedIn, orderPlaced, adjusted('comp', 33800)];
  spec(t)
    .given([held, confirmed(), checkedIn, orderPlaced])
    .when(adjust('comp'))
    .then([adjusted('comp', 33800)]);
  const later: BookingEvent = { ...orderPlaced, data: { ...orderPlaced.data, orderId: 'order-2', lines: [FRUIT], total: 6800 } };
  t.match(bookingDecider.decide(checkOut(), [...comped, later].reduce(bookingDecider.evolve, bookingDecider.initialState())), [
    { type: 'BookingCheckedOut', data: { bill: { total: 6800, due: 1400 } } },
  ]);
});

t.test('adjustments: a round-off drops the jiao and fen unless an amount is given', async (t) => {
  const beer = { ...BEER, quantity: 1, unitPrice: 1550, amount: 1550 };
  const odd: BookingEvent = { ...orderPlaced, data: { ...orderPlaced.data, lines: [beer], total: 1550 } };
  spec(t)
    .given([held, confirmed(), checkedIn, odd])
    .when(adjust('round_off'))
    .then([adjusted('round_off', 50)]);
  spec(t).given([held, confirmed(), checkedIn]).when(adjust('round_off')).thenThrows('nothing_to_adjust', { status: 422 });
});

t.test('adjustments: never more than the bill, only on an open bill, once per adjustment', async (t) => {
  spec(t)
    .given([held, confirmed(), checkedIn])
    .when(adjust('discount', { amount: 18001 }))
    .thenThrows('adjustment_exceeds_bill', { status: 422, detail: { standing: 18000 } });
  spec(t).given([held, confirmed()]).when(adjust('comp')).thenThrows('booking_confirmed', { status: 409 });
  spec(t)
    .given([held, confirmed(), checkedIn, adjusted('comp', 18000)])
    .when(adjust('comp'))
    .thenNothing('the same adjustment retried');
});

t.test('check-out: the minimum spend is met by room time and products together, topped up by a line when short', async (t) => {
  // A large room: 180.00 room + 158.00 products = 338.00 against a 400.00 minimum: 62.00 minimum-spend line.
  const heldLarge: BookingEvent = {
    ...held,
    data: { ...heldData, price: { ...PRICE, breakdown: { ...PRICE.breakdown, minimumSpend: { amount: 40000, topUp: 0 } } } },
  };
  const bill = (events: BookingEvent[]) => {
    const [out] = bookingDecider.decide(checkOut(), events.reduce(bookingDecider.evolve, bookingDecider.initialState()));
    return out?.type === 'BookingCheckedOut' ? out.data.bill : null;
  };
  t.match(bill([heldLarge, confirmed(), checkedIn, orderPlaced]), {
    total: 40000,
    lines: [
      { kind: 'room' },
      { kind: 'product' },
      { kind: 'product' },
      { kind: 'minimum_spend', description: 'Minimum spend ¥400.00', amount: 6200 },
    ],
  });
  const more: BookingEvent = { ...orderPlaced, data: { ...orderPlaced.data, orderId: 'order-2' } };
  const met = bill([heldLarge, confirmed(), checkedIn, orderPlaced, more]);
  t.equal(met?.total, 18000 + 2 * 15800, 'spent past the minimum: no top-up');
  t.notOk(met?.lines?.some((l) => l.kind === 'minimum_spend'));
  t.match(
    bill([heldLarge, confirmed(), checkedIn, orderPlaced, adjusted('discount', 4000)]),
    { total: 36000 },
    'adjustments come off after the top-up',
  );
  t.match(bill([heldLarge, confirmed(), moved(18000), checkedIn]), { total: 18000 }, 'a move brings the new room type’s minimum');
});

t.test('check-out: a venue charging VAT records the rate and the tax inside the total', async (t) => {
  // 180.00 at 6 % included: 180.00 × 6 / 106 = 10.19.
  spec(t)
    .given([held, confirmed(), checkedIn])
    .when(checkOut('2026-03-13 22:00', 6))
    .then([
      { ...checkedOut, data: { ...checkedOut.data, bill: { ...checkedOut.data.bill, tax: { ratePercent: 6, amount: 1019 } } } },
    ] as BookingEvent[]);
});

t.test('check-out: overtime is a line after room time, counted toward the minimum spend, before adjustments', async (t) => {
  // 22:00 end, out at 22:25 past a 10 min grace: 30 min billed (two started quarter hours) at 90.00 an hour = 45.00.
  const [out] = bookingDecider.decide(
    checkOut('2026-03-13 22:25', 0, { minutes: 30, amount: 4500 }),
    [held, confirmed(), checkedIn].reduce(bookingDecider.evolve, bookingDecider.initialState()),
  );
  t.match(out, {
    type: 'BookingCheckedOut',
    data: {
      bill: {
        total: 22500,
        due: 17100,
        lines: [
          { kind: 'room', amount: 18000 },
          { kind: 'overtime', description: 'Overtime 30 min', amount: 4500 },
        ],
      },
    },
  });
});

t.test('check-out: checking out again records nothing', async (t) => {
  spec(t).given([held, confirmed(), checkedIn, checkedOut]).when(checkOut('2026-03-13 22:01')).thenNothing();
});

t.test('check-out: a booking not checked in cannot be checked out', async (t) => {
  spec(t).given([held, confirmed()]).when(checkOut()).thenThrows('booking_confirmed', conflict('confirmed'));
  spec(t).given([held]).when(checkOut()).thenThrows('booking_held', conflict('held'));
});

t.test('no-show: a confirmed booking nobody came for is a no-show 30 minutes after its start, and the deposit is forfeited', async (t) => {
  spec(t).given([held, confirmed()]).when(markNoShow('2026-03-13 20:30')).then([noShow]);
});

t.test('no-show: before the 30 minutes of grace are over it is refused with too_early_for_no_show', async (t) => {
  spec(t)
    .given([held, confirmed()])
    .when(markNoShow('2026-03-13 20:29'))
    .thenThrows('too_early_for_no_show', { is: ConflictError, status: 409 });
});

t.test('no-show: marking a no-show again records nothing', async (t) => {
  spec(t).given([held, confirmed(), noShow]).when(markNoShow('2026-03-13 20:31')).thenNothing();
});

t.test('no-show: a checked-in, held or cancelled booking cannot be a no-show', async (t) => {
  spec(t)
    .given([held, confirmed(), checkedIn])
    .when(markNoShow('2026-03-13 20:30'))
    .thenThrows('booking_checked_in', conflict('checked_in'));
  spec(t).given([held]).when(markNoShow('2026-03-13 20:30')).thenThrows('booking_held', conflict('held'));
  spec(t).given([held, cancelled]).when(markNoShow('2026-03-13 20:30')).thenThrows('booking_cancelled', conflict('cancelled'));
});

t.test('state: what was paid follows confirmations, refunds on cancelling, and the bill at check-out', async (t) => {
  const fold = (events: readonly BookingEvent[]) => events.reduce(bookingDecider.evolve, bookingDecider.initialState());
  const after = (events: readonly BookingEvent[]) => {
    const s = fold(events);
    if (s.status === 'none') throw new Error('no booking');
    return s;
  };
  t.match(after([held, confirmed()]), { status: 'confirmed', amountPaid: 5400, holdExpiresAt: null });
  t.strictSame(after([held, confirmed()]).paymentIds, ['pay-1'], 'the confirming payment is remembered for refunds');
  t.match(after([held, confirmed(), cancelled]), { status: 'cancelled', amountPaid: 0 }, '54.00 paid − 54.00 refunded');
  t.match(
    after([held, confirmed(), checkedIn, extended]),
    { basePrice: 18000, extraTotal: 9000 },
    'the extension is billed on top of the room price',
  );
  t.equal(after([held, confirmed(), checkedIn, extended]).end.toISOString(), iso('2026-03-13 23:00'), 'and moves the end');
  t.match(after([held, confirmed(), checkedIn, checkedOut]), { status: 'checked_out', amountPaid: 18000 }, 'settled in full at check-out');
  t.strictSame(after([held, confirmed(0, null)]).paymentIds, [], 'a desk confirmation adds no payment id');
});
