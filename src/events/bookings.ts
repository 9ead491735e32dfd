import type { DomainEvent } from './event.js';
import type { DayKind } from './venue.js';
import type { MembershipLevel } from './users.js';

export type BandLine = Readonly<{ bandId: string; dayKind: DayKind; minutes: number; hourlyRate: number; amount: number }>;

/**
 * How the rate card's dynamic rule priced a hold, decided once at hold time: the heat the recorded
 * forecast gave the stay, the multiplier (after the manager's floor and ceiling), the forecast
 * model, the experiment arm when one decides it, and what the price would have been without it.
 * `status` says whether the multiplier applied, or why not (the kill switch, no forecast recorded
 * for the date, the guest in an experiment's `off` arm): those prices are the base price.
 */
export type DynamicPricing = Readonly<{
  status: 'applied' | 'switched_off' | 'no_forecast' | 'off_arm';
  heat: number | null;
  multiplier: number;
  modelVersion: number | null;
  forecastAt: string | null;
  experiment: Readonly<{ id: string; arm: string }> | null;
  /** The total at multiplier 1; `total - baseTotal` is the dynamic uplift (negative on quiet hours). */
  baseTotal: number;
  uplift: number;
}>;

/** A price with how it was made, as recorded when decided; pricing builds it and nothing recomputes it. */
export type Price = Readonly<{
  total: number;
  deposit: number;
  currency: 'CNY';
  rateCardVersion: number;
  breakdown: Readonly<{
    bands: readonly BandLine[];
    package: Readonly<{ id: string; name: string; price: number }> | null;
    subtotal: number;
    discount: Readonly<{ level: MembershipLevel; percent: number; amount: number }>;
    minimumSpend: Readonly<{ amount: number; topUp: number }>;
  }>;
  /** Null when the card in force had no dynamic rule (and on every price recorded before there was one). */
  dynamic: DynamicPricing | null;
}>;

export type ReservationKind = 'booking' | 'walk_in';
export type ReleaseReason = 'cancelled' | 'expired' | 'moved' | 'no_show';

/**
 * Events of `roomday-<roomId>-<businessDate>` streams: the one place room time is
 * decided. A reservation occupies [start, end) plus its cleaning buffer. An
 * unconfirmed hold stops counting at `holdExpiresAt` even before it is released.
 */
export type RoomDayEvent =
  | DomainEvent<
      'RoomTimeReserved',
      Readonly<{
        roomId: string;
        businessDate: string;
        bookingId: string;
        start: string;
        end: string;
        bufferMinutes: number;
        kind: ReservationKind;
        holdExpiresAt: string | null;
        /** Open timing (a walk-in with no duration): `end` is the latest the room is free for it, not a booked end. */
        openTiming?: boolean;
        at: string;
      }>
    >
  | DomainEvent<'RoomTimeConfirmed', Readonly<{ roomId: string; businessDate: string; bookingId: string; at: string }>>
  | DomainEvent<'RoomTimeExtended', Readonly<{ roomId: string; businessDate: string; bookingId: string; end: string; at: string }>>
  | DomainEvent<'RoomTimeEnded', Readonly<{ roomId: string; businessDate: string; bookingId: string; end: string; at: string }>>
  | DomainEvent<
      'RoomTimeReleased',
      Readonly<{ roomId: string; businessDate: string; bookingId: string; reason: ReleaseReason; at: string }>
    >
  /** Staff marked the room clean after this booking's check-out: its cleaning buffer ends now. */
  | DomainEvent<'RoomCleaned', Readonly<{ roomId: string; businessDate: string; bookingId: string; at: string }>>;

export type BillLineKind = 'room' | 'extension' | 'overtime' | 'product' | 'minimum_spend' | 'adjustment';

/** 折扣, 免单, 抹零: a discount, a comp of the whole bill as it stands, rounding the small change off. */
export type AdjustmentKind = 'discount' | 'comp' | 'round_off';

/**
 * How a correction was approved: `manager` (a manager or admin made it), `waiter_limit` (a waiter
 * within the venue's `waiterAdjustmentLimit`), `request` (a manager approved a waiter's request).
 */
export type AdjustmentApproval = 'manager' | 'waiter_limit' | 'request';

/** One line of a bill: what it is for and its amount in fen (adjustments are negative). */
export type BillLine = Readonly<{ kind: BillLineKind; description: string; amount: number }>;

/** The value-added tax inside a bill's total: its rate in percent and its amount in fen. */
export type BillTax = Readonly<{ ratePercent: number; amount: number }>;

/**
 * A bill as decided at check-out; `lines` itemise `total` (check-outs recorded before bills were
 * itemised have none), and `tax` is the VAT included in it (absent when the venue charged none).
 */
export type Bill = Readonly<{ total: number; paid: number; due: number; currency: 'CNY'; lines?: readonly BillLine[]; tax?: BillTax }>;

/** A product on an order, priced when ordered. */
export type OrderLine = Readonly<{
  lineNo: number;
  productId: string;
  name: string;
  category: string;
  unit: string;
  quantity: number;
  unitPrice: number;
  amount: number;
}>;

/** What every booking records when it starts: the room, the party, the time and the price decided. */
export type BookedRoom = Readonly<{
  bookingId: string;
  roomId: string;
  roomTypeId: string;
  guestName: string | null;
  guestPhone: string | null;
  bookedBy: string;
  partySize: number;
  start: string;
  end: string;
  businessDate: string;
  price: Price;
  at: string;
}>;

/** Events of `booking-<id>` streams. */
export type BookingEvent =
  | DomainEvent<'BookingHeld', BookedRoom & Readonly<{ guestId: string | null; holdExpiresAt: string }>>
  /**
   * `openTiming`: no duration was chosen; `end` is the latest the room is free for the party and
   * `price` one billing unit, the least the stay costs; check-out bills the time used.
   */
  | DomainEvent<'WalkInStarted', BookedRoom & Readonly<{ openTiming?: boolean }>>
  | DomainEvent<'BookingConfirmed', Readonly<{ bookingId: string; paymentId: string | null; amountPaid: number; by: string; at: string }>>
  /**
   * Part of a held booking's deposit paid (from stored value, the amount the payer chose); the
   * booking stays held until a payment covers `due`, what is still owed on the deposit.
   */
  | DomainEvent<'DepositPartPaid', Readonly<{ bookingId: string; paymentId: string; amount: number; due: number; by: string; at: string }>>
  | DomainEvent<
      'BookingCancelled',
      Readonly<{ bookingId: string; reason: string; refund: number; overridden: boolean; by: string; at: string }>
    >
  | DomainEvent<'BookingExpired', Readonly<{ bookingId: string; at: string }>>
  | DomainEvent<'BookingCheckedIn', Readonly<{ bookingId: string; by: string; at: string }>>
  | DomainEvent<'BookingExtended', Readonly<{ bookingId: string; minutes: number; end: string; price: Price; by: string; at: string }>>
  | DomainEvent<
      'BookingMoved',
      Readonly<{
        bookingId: string;
        fromRoomId: string;
        toRoomId: string;
        toRoomTypeId: string;
        priceDifference: number;
        newTotal: number;
        /** The new room type's minimum spend (moves recorded before it moved to the bill have none). */
        minimumSpend?: number;
        by: string;
        at: string;
      }>
    >
  | DomainEvent<'BookingCheckedOut', Readonly<{ bookingId: string; bill: Bill; by: string; at: string }>>
  | DomainEvent<'BookingMarkedNoShow', Readonly<{ bookingId: string; forfeited: number; by: string; at: string }>>
  | DomainEvent<
      'BillAdjusted',
      Readonly<{
        bookingId: string;
        adjustmentId: string;
        kind: AdjustmentKind;
        /** What comes off the bill, in fen (positive). */
        amount: number;
        percent: number | null;
        reason: string;
        requestedBy: string;
        approvedBy: string;
        /** Absent on corrections recorded before waiters could make any: a manager made those. */
        approval?: AdjustmentApproval;
        /** The waiter's request a manager approved (`approval: 'request'`). */
        requestId?: string;
        at: string;
      }>
    >
  | DomainEvent<
      'OrderPlaced',
      Readonly<{ bookingId: string; orderId: string; lines: readonly OrderLine[]; total: number; by: string; at: string }>
    >
  | DomainEvent<
      'OrderLineVoided',
      Readonly<{
        bookingId: string;
        orderId: string;
        lineNo: number;
        productId: string;
        quantity: number;
        amount: number;
        reason: string;
        by: string;
        at: string;
      }>
    >;

export const roomDayStream = (roomId: string, businessDate: string) => `roomday-${roomId}-${businessDate}`;
export const bookingStream = (id: string) => `booking-${id}`;

export type GuestHoldEndReason = 'confirmed' | 'cancelled' | 'expired' | 'not_taken';

/**
 * Events of `guestholds-<guestId>` streams: the holds a guest has open, counted
 * against the venue's `maxActiveHolds`. A hold stops counting when it ends or
 * when its hold time passes, whichever comes first.
 */
export type GuestHoldsEvent =
  | DomainEvent<'GuestHoldOpened', Readonly<{ guestId: string; bookingId: string; holdExpiresAt: string; at: string }>>
  | DomainEvent<'GuestHoldEnded', Readonly<{ guestId: string; bookingId: string; reason: GuestHoldEndReason; at: string }>>;

export const guestHoldsStream = (guestId: string) => `guestholds-${guestId}`;

/** What a waiting guest asked for: a time, a duration, a party size and optionally a room type. */
export type WaitlistWish = Readonly<{
  guestId: string;
  businessDate: string;
  start: string;
  durationMinutes: number;
  partySize: number;
  roomTypeId: string | null;
}>;

/**
 * Events of `waitlist-<entryId>` streams: one guest's place on the waitlist.
 * An offer is a hold in the guest's name whose booking id is the entry's id,
 * so an offer made twice holds once.
 */
export type WaitlistEvent =
  | DomainEvent<'WaitlistJoined', WaitlistWish & Readonly<{ entryId: string; at: string }>>
  | DomainEvent<'WaitlistOffered', Readonly<{ entryId: string; bookingId: string; roomId: string; at: string }>>
  | DomainEvent<'WaitlistLeft', Readonly<{ entryId: string; at: string }>>
  | DomainEvent<'WaitlistExpired', Readonly<{ entryId: string; at: string }>>;

export const waitlistStream = (entryId: string) => `waitlist-${entryId}`;
