import type { Bill, BookingEvent, Price, ReleaseReason, RoomDayEvent } from '../../src/events/bookings.js';
import type { PaymentEvent, PaymentMethod, PaymentPurpose } from '../../src/events/payments.js';
import type { MembershipLevel } from '../../src/events/users.js';

/**
 * One evening at the venue, for the projection specs. Business date
 * 2026-03-13 (a Friday) in Asia/Shanghai (UTC+8), business day from 06:00:
 * booking `bk-1` is held at 19:00 for room S01 (small, 15 minutes of cleaning)
 * from 20:00 to 23:00, the hold running out at 19:15. Money in fen.
 */
export const BUSINESS_DATE = '2026-03-13';
/** A local wall time in Shanghai on 2026-03-13 (or, for `next`, the 14th), as an ISO instant. */
export const local = (hhmm: string, next = false) => new Date(`2026-03-${next ? 14 : 13}T${hhmm}:00+08:00`).toISOString();
export const at = (hhmm: string, next = false) => new Date(local(hhmm, next));

export const BOOKING = 'bk-1';
export const GUEST = 'user-guest';
export const WAITER = 'user-waiter';

export function price(total: number, deposit: number, level: MembershipLevel = 'regular', minutes = 180): Price {
  return {
    total,
    deposit,
    currency: 'CNY',
    rateCardVersion: 3,
    breakdown: {
      bands: [{ bandId: 'prime', dayKind: 'weekday', minutes, hourlyRate: 9800, amount: total }],
      package: null,
      subtotal: total,
      discount: { level, percent: 0, amount: 0 },
      minimumSpend: { amount: 0, topUp: 0 },
    },
    dynamic: null,
  };
}

/** 3 hours of prime time in a small room: 294.00, deposit 88.20. */
export const PRICE = price(29400, 8820);

type Data<E extends { type: string; data: unknown }, T extends E['type']> = Extract<E, { type: T }>['data'];
type Held = Data<BookingEvent, 'BookingHeld'>;
type WalkIn = Data<BookingEvent, 'WalkInStarted'>;

export const held = (over: Partial<Held> = {}): BookingEvent => ({
  type: 'BookingHeld',
  data: {
    bookingId: BOOKING,
    roomId: 'room-s01',
    roomTypeId: 'small',
    guestId: GUEST,
    guestName: 'Li Lei',
    guestPhone: '+8613800000002',
    bookedBy: GUEST,
    partySize: 4,
    start: local('20:00'),
    end: local('23:00'),
    businessDate: BUSINESS_DATE,
    holdExpiresAt: local('19:15'),
    price: PRICE,
    at: local('19:00'),
    ...over,
  },
});

export const walkIn = (over: Partial<WalkIn> = {}): BookingEvent => ({
  type: 'WalkInStarted',
  data: {
    bookingId: 'bk-walk-in',
    roomId: 'room-m01',
    roomTypeId: 'medium',
    guestName: null,
    guestPhone: null,
    bookedBy: WAITER,
    partySize: 6,
    start: local('21:00'),
    end: local('23:00'),
    businessDate: BUSINESS_DATE,
    price: price(29400, 0, 'regular', 120),
    at: local('21:00'),
    ...over,
  },
});

export const confirmed = (amountPaid: number, hhmm = '19:05', bookingId = BOOKING): BookingEvent => ({
  type: 'BookingConfirmed',
  data: { bookingId, paymentId: 'pay-1', amountPaid, by: GUEST, at: local(hhmm) },
});
export const cancelled = (refund: number, hhmm = '19:30', bookingId = BOOKING): BookingEvent => ({
  type: 'BookingCancelled',
  data: { bookingId, reason: 'plans changed', refund, overridden: false, by: GUEST, at: local(hhmm) },
});
export const expired = (hhmm = '19:16', bookingId = BOOKING): BookingEvent => ({
  type: 'BookingExpired',
  data: { bookingId, at: local(hhmm) },
});
export const checkedIn = (hhmm = '19:55', bookingId = BOOKING): BookingEvent => ({
  type: 'BookingCheckedIn',
  data: { bookingId, by: WAITER, at: local(hhmm) },
});
export const extended = (minutes: number, end: string, total: number, hhmm = '22:30', bookingId = BOOKING): BookingEvent => ({
  type: 'BookingExtended',
  data: { bookingId, minutes, end, price: price(total, 0, 'regular', minutes), by: WAITER, at: local(hhmm) },
});
export const moved = (
  fromRoomId: string,
  toRoomId: string,
  toRoomTypeId: string,
  newTotal: number,
  previousTotal: number,
  hhmm = '20:30',
  bookingId = BOOKING,
): BookingEvent => ({
  type: 'BookingMoved',
  data: { bookingId, fromRoomId, toRoomId, toRoomTypeId, priceDifference: newTotal - previousTotal, newTotal, by: WAITER, at: local(hhmm) },
});
export const bill = (total: number, paid: number): Bill => ({ total, paid, due: Math.max(0, total - paid), currency: 'CNY' });
export const checkedOut = (total: number, paid: number, when = local('23:30'), bookingId = BOOKING): BookingEvent => ({
  type: 'BookingCheckedOut',
  data: { bookingId, bill: bill(total, paid), by: WAITER, at: when },
});
export const noShow = (forfeited: number, hhmm = '20:31', bookingId = BOOKING): BookingEvent => ({
  type: 'BookingMarkedNoShow',
  data: { bookingId, forfeited, by: WAITER, at: local(hhmm) },
});

type Reserved = Data<RoomDayEvent, 'RoomTimeReserved'>;
export const reserved = (over: Partial<Reserved> = {}): RoomDayEvent => ({
  type: 'RoomTimeReserved',
  data: {
    roomId: 'room-s01',
    businessDate: BUSINESS_DATE,
    bookingId: BOOKING,
    start: local('20:00'),
    end: local('23:00'),
    bufferMinutes: 15,
    kind: 'booking',
    holdExpiresAt: local('19:15'),
    at: local('19:00'),
    ...over,
  },
});
const roomDay = (roomId: string, hhmm: string, bookingId: string) => ({ roomId, businessDate: BUSINESS_DATE, bookingId, at: local(hhmm) });
export const timeConfirmed = (roomId = 'room-s01', hhmm = '19:05', bookingId = BOOKING): RoomDayEvent => ({
  type: 'RoomTimeConfirmed',
  data: roomDay(roomId, hhmm, bookingId),
});
export const timeExtended = (end: string, roomId = 'room-s01', hhmm = '22:30', bookingId = BOOKING): RoomDayEvent => ({
  type: 'RoomTimeExtended',
  data: { ...roomDay(roomId, hhmm, bookingId), end },
});
export const timeEnded = (end: string, roomId = 'room-s01', hhmm = '23:30', bookingId = BOOKING): RoomDayEvent => ({
  type: 'RoomTimeEnded',
  data: { ...roomDay(roomId, hhmm, bookingId), end },
});
export const timeReleased = (reason: ReleaseReason, roomId = 'room-s01', hhmm = '19:30', bookingId = BOOKING): RoomDayEvent => ({
  type: 'RoomTimeReleased',
  data: { ...roomDay(roomId, hhmm, bookingId), reason },
});

const payment = (paymentId: string, bookingId: string) => ({ paymentId, bookingId });
export const paymentStarted = (
  paymentId: string,
  amount: number,
  o: { purpose?: PaymentPurpose; method?: PaymentMethod; hhmm?: string; bookingId?: string } = {},
): PaymentEvent => ({
  type: 'PaymentStarted',
  data: {
    ...payment(paymentId, o.bookingId ?? BOOKING),
    purpose: o.purpose ?? 'deposit',
    method: o.method ?? 'wechatpay',
    amount,
    providerOrderId: `wx-${paymentId}`,
    by: GUEST,
    at: local(o.hhmm ?? '19:01'),
  },
});
export const paymentSucceeded = (
  paymentId: string,
  amount: number,
  o: { purpose?: PaymentPurpose; method?: PaymentMethod; hhmm?: string; next?: boolean; bookingId?: string } = {},
): PaymentEvent => ({
  type: 'PaymentSucceeded',
  data: {
    ...payment(paymentId, o.bookingId ?? BOOKING),
    method: o.method ?? 'wechatpay',
    purpose: o.purpose ?? 'deposit',
    transactionId: `tx-${paymentId}`,
    amount,
    paidAt: local(o.hhmm ?? '19:04', o.next),
    at: local(o.hhmm ?? '19:04', o.next),
  },
});
export const paymentClosed = (paymentId: string, hhmm = '19:20', bookingId = BOOKING): PaymentEvent => ({
  type: 'PaymentClosed',
  data: { ...payment(paymentId, bookingId), reason: 'timed out', at: local(hhmm) },
});
export const refundRequested = (
  paymentId: string,
  refundId: string,
  amount: number,
  hhmm = '19:30',
  bookingId = BOOKING,
): PaymentEvent => ({
  type: 'RefundRequested',
  data: { ...payment(paymentId, bookingId), refundId, amount, reason: 'cancelled', at: local(hhmm) },
});
export const refundSucceeded = (
  paymentId: string,
  refundId: string,
  amount: number,
  o: { method?: PaymentMethod; hhmm?: string; bookingId?: string } = {},
): PaymentEvent => ({
  type: 'RefundSucceeded',
  data: { ...payment(paymentId, o.bookingId ?? BOOKING), method: o.method ?? 'wechatpay', refundId, amount, at: local(o.hhmm ?? '19:40') },
});
export const refundFailed = (paymentId: string, refundId: string, hhmm = '19:40', bookingId = BOOKING): PaymentEvent => ({
  type: 'RefundFailed',
  data: { ...payment(paymentId, bookingId), refundId, reason: 'account closed', at: local(hhmm) },
});
