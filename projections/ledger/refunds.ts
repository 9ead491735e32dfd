import type { PaymentEvent } from '../../src/events/payments.js';

/** Every refund with its state, for the accountant's list of money going back (`rm.ledger_refunds`). */
export interface LedgerRefundsTable {
  refund_id: string;
  payment_id: string;
  booking_id: string;
  amount: number;
  reason: string;
  status: 'pending' | 'succeeded' | 'failed';
  /** The business date it was requested on. */
  business_date: string;
  requested_at: Date;
  settled_at: Date | null;
  failure: string | null;
}

type RefundEvent = Extract<PaymentEvent, { type: 'RefundRequested' | 'RefundSucceeded' | 'RefundFailed' }>;

export const isRefundEvent = (e: { type: string }): e is RefundEvent =>
  e.type === 'RefundRequested' || e.type === 'RefundSucceeded' || e.type === 'RefundFailed';

/**
 * A refund's row as this event leaves it: what to insert when the refund is first seen (dated on
 * `businessDate`, the event's), and what to change on the row when it exists.
 */
export function refundChange(e: RefundEvent, businessDate: string): { insert: LedgerRefundsTable; update: Partial<LedgerRefundsTable> } {
  const { refundId, paymentId, bookingId, at } = e.data;
  const base = {
    refund_id: refundId,
    payment_id: paymentId,
    booking_id: bookingId,
    business_date: businessDate,
    requested_at: new Date(at),
  };
  switch (e.type) {
    case 'RefundRequested': {
      const { amount, reason } = e.data;
      return { insert: { ...base, amount, reason, status: 'pending', settled_at: null, failure: null }, update: { amount, reason } };
    }
    case 'RefundSucceeded': {
      const settled = { status: 'succeeded' as const, failure: null, settled_at: new Date(at) };
      return { insert: { ...base, amount: e.data.amount, reason: '', ...settled }, update: { ...settled, amount: e.data.amount } };
    }
    case 'RefundFailed': {
      const settled = { status: 'failed' as const, failure: e.data.reason, settled_at: new Date(at) };
      return { insert: { ...base, amount: 0, reason: '', ...settled }, update: settled };
    }
    default: {
      const never: never = e;
      throw new Error(`not a refund event: ${JSON.stringify(never)}`);
    }
  }
}
