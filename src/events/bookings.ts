import type { DomainEvent } from './event.js';
import type { DayKind } from './venue.js';
import type { MembershipLevel } from './users.js';

export type BandLine = Readonly<{ bandId: string; dayKind: DayKind; minutes: number; hourlyRate: number; amount: number }>;

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

export type Bill = Readonly<{ total: number; paid: number; due: number; currency: 'CNY' }>;

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
  | DomainEvent<'WalkInStarted', BookedRoom>
  | DomainEvent<'BookingConfirmed', Readonly<{ bookingId: string; paymentId: string | null; amountPaid: number; by: string; at: string }>>
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
        by: string;
        at: string;
      }>
    >
  | DomainEvent<'BookingCheckedOut', Readonly<{ bookingId: string; bill: Bill; by: string; at: string }>>
  | DomainEvent<'BookingMarkedNoShow', Readonly<{ bookingId: string; forfeited: number; by: string; at: string }>>;

export const roomDayStream = (roomId: string, businessDate: string) => `roomday-${roomId}-${businessDate}`;
export const bookingStream = (id: string) => `booking-${id}`;
