import type { DomainEvent } from './event.js';

export type PaymentPurpose = 'deposit' | 'balance';
export type PaymentMethod = 'wechatpay' | 'sandbox' | 'cash' | 'card' | 'stored_value';

/** Events of `payment-<id>` streams. A payment belongs to exactly one booking from its first event. */
export type PaymentEvent =
  | DomainEvent<
      'PaymentStarted',
      Readonly<{
        paymentId: string;
        bookingId: string;
        purpose: PaymentPurpose;
        method: PaymentMethod;
        amount: number;
        /** The provider's order; for stored value, the member whose balance pays (their wallet is the provider). */
        providerOrderId: string | null;
        by: string;
        /** Stored value taken at the desk: the staff member taking it, whose till gets it however the payment is finished. */
        desk?: string;
        at: string;
      }>
    >
  | DomainEvent<
      'PaymentSucceeded',
      Readonly<{
        paymentId: string;
        bookingId: string;
        method: PaymentMethod;
        purpose: PaymentPurpose;
        transactionId: string;
        amount: number;
        paidAt: string;
        /**
         * Cash at the desk: what the guest handed over for this payment and the change given back
         * (找零), `tendered - amount`. Absent on other payments and on events recorded before
         * tendered cash was kept.
         */
        tendered?: number;
        change?: number;
        /** The staff member who took the money at the desk (it belongs in their till); absent when nobody at the desk did. */
        desk?: string;
        at: string;
      }>
    >
  | DomainEvent<'PaymentClosed', Readonly<{ paymentId: string; bookingId: string; reason: string; at: string }>>
  | DomainEvent<
      'RefundAuthorised',
      Readonly<{
        paymentId: string;
        bookingId: string;
        refundId: string;
        amount: number;
        reason: string;
        /** Who asked for the refund after check-out, and the manager who approved it. */
        requestedBy: string;
        approvedBy: string;
        /** The VAT rate of the bill refunded, so the ledger takes the tax back with the revenue. */
        vatRatePercent: number;
        at: string;
      }>
    >
  | DomainEvent<
      'RefundRequested',
      Readonly<{ paymentId: string; bookingId: string; refundId: string; amount: number; reason: string; at: string }>
    >
  | DomainEvent<
      'RefundSucceeded',
      Readonly<{
        paymentId: string;
        bookingId: string;
        method: PaymentMethod;
        refundId: string;
        amount: number;
        /** The staff member who paid it out at the desk (it leaves their till); absent when nobody at the desk did. */
        desk?: string;
        at: string;
      }>
    >
  | DomainEvent<'RefundFailed', Readonly<{ paymentId: string; bookingId: string; refundId: string; reason: string; at: string }>>;

export const paymentStream = (id: string) => `payment-${id}`;
