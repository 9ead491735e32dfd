import type { DomainEvent } from './event.js';
import type { AdjustmentKind } from './bookings.js';

/** A correction a waiter asked for, as asked: the amount is decided on the bill when approved. */
export type AdjustmentAsked = Readonly<{
  requestId: string;
  bookingId: string;
  kind: AdjustmentKind;
  amount: number | null;
  percent: number | null;
  reason: string;
  requestedBy: string;
}>;

/**
 * Events of `adjustmentrequest-<requestId>` streams: a waiter's request for a correction beyond
 * what they may approve, and a manager's answer. An approval is the `BillAdjusted` on the booking
 * (its adjustment id is the request id), then recorded here.
 */
export type AdjustmentRequestEvent =
  | DomainEvent<'AdjustmentRequested', AdjustmentAsked & Readonly<{ at: string }>>
  | DomainEvent<
      'AdjustmentRequestApproved',
      Readonly<{ requestId: string; bookingId: string; amount: number; approvedBy: string; at: string }>
    >
  | DomainEvent<
      'AdjustmentRequestDeclined',
      Readonly<{ requestId: string; bookingId: string; reason: string; declinedBy: string; at: string }>
    >;

export const adjustmentRequestStream = (requestId: string) => `adjustmentrequest-${requestId}`;
