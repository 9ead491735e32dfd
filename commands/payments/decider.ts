import { ConflictError, UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { PaymentEvent, PaymentMethod, PaymentPurpose } from '../../src/events/payments.js';

type Refund = Readonly<{ refundId: string; amount: number; status: 'requested' | 'succeeded' | 'failed' }>;

export type Payment = Readonly<{
  status: 'pending' | 'succeeded' | 'closed';
  id: string;
  bookingId: string;
  purpose: PaymentPurpose;
  method: PaymentMethod;
  amount: number;
  providerOrderId: string | null;
  /** The staff member taking it at the desk, when the payment named one from its start. */
  desk: string | null;
  paid: number;
  refunds: ReadonlyMap<string, Refund>;
}>;
export type PaymentState = { status: 'none' } | Payment;

export type PaymentCommand =
  | Readonly<{
      type: 'Start';
      paymentId: string;
      bookingId: string;
      purpose: PaymentPurpose;
      method: PaymentMethod;
      amount: number;
      providerOrderId: string | null;
      by: string;
      desk?: string;
      now: Date;
    }>
  | Readonly<{
      type: 'Succeed';
      transactionId: string;
      amount: number;
      paidAt: Date;
      /** Cash handed over at the desk for this payment, when the desk entered it. */
      tendered?: number;
      /** The staff member taking it at the desk. */
      desk?: string;
      now: Date;
    }>
  | Readonly<{ type: 'Close'; reason: string; now: Date }>
  | Readonly<{
      type: 'RequestRefund';
      refundId: string;
      amount: number;
      reason: string;
      /** A refund after check-out names who asked and who approved it. */
      authorisation?: Readonly<{ requestedBy: string; approvedBy: string; vatRatePercent: number }>;
      now: Date;
    }>
  | Readonly<{
      type: 'CompleteRefund';
      refundId: string;
      succeeded: boolean;
      reason: string;
      /** The staff member paying it out at the desk. */
      desk?: string;
      now: Date;
    }>;

/** Paid and not refunded (refunds under way count as gone). */
export const refundable = (p: Payment) =>
  p.paid - [...p.refunds.values()].filter((r) => r.status !== 'failed').reduce((s, r) => s + r.amount, 0);

export const paymentDecider: Decider<PaymentState, PaymentCommand, PaymentEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, e) => {
    if (e.type === 'PaymentStarted') {
      const d = e.data;
      return {
        status: 'pending',
        id: d.paymentId,
        bookingId: d.bookingId,
        purpose: d.purpose,
        method: d.method,
        amount: d.amount,
        providerOrderId: d.providerOrderId,
        desk: d.desk ?? null,
        paid: 0,
        refunds: new Map(),
      };
    }
    if (state.status === 'none') return state;
    const refunds = new Map(state.refunds);
    switch (e.type) {
      case 'PaymentSucceeded':
        return { ...state, status: 'succeeded', paid: e.data.amount };
      case 'PaymentClosed':
        return { ...state, status: 'closed' };
      case 'RefundAuthorised':
        return state;
      case 'RefundRequested':
        refunds.set(e.data.refundId, { refundId: e.data.refundId, amount: e.data.amount, status: 'requested' });
        return { ...state, refunds };
      case 'RefundSucceeded':
      case 'RefundFailed': {
        const r = refunds.get(e.data.refundId);
        if (r) refunds.set(r.refundId, { ...r, status: e.type === 'RefundSucceeded' ? 'succeeded' : 'failed' });
        return { ...state, refunds };
      }
      default: {
        const never: never = e;
        throw new Error(`unknown payment event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, state) => {
    const at = c.now.toISOString();
    if (c.type === 'Start') {
      if (state.status !== 'none') return [];
      const { type: _t, now: _n, ...data } = c;
      return [{ type: 'PaymentStarted', data: { ...data, at } }];
    }
    if (state.status === 'none') throw new ConflictError('payment_not_found', 'No such payment.');
    const base = { paymentId: state.id, bookingId: state.bookingId, at };
    switch (c.type) {
      case 'Succeed':
        // A success callback delivered twice, or after we closed the order, is recorded once: the money did arrive.
        if (state.status === 'succeeded') return [];
        if (c.amount !== state.amount)
          throw new UnprocessableError('amount_mismatch', `The provider reports ${c.amount} fen paid; ${state.amount} was asked.`);
        if (c.tendered !== undefined && state.method !== 'cash')
          throw new UnprocessableError('not_cash', 'Only a cash payment is tendered.', { field: 'cashTendered' });
        if (c.tendered !== undefined && c.tendered < c.amount)
          throw new UnprocessableError('tendered_short', `${c.tendered} fen tendered for ${c.amount} fen in cash.`, {
            field: 'cashTendered',
          });
        return [
          {
            type: 'PaymentSucceeded',
            data: {
              ...base,
              method: state.method,
              purpose: state.purpose,
              transactionId: c.transactionId,
              amount: c.amount,
              paidAt: c.paidAt.toISOString(),
              ...(c.tendered === undefined ? {} : { tendered: c.tendered, change: c.tendered - c.amount }),
              ...(c.desk ? { desk: c.desk } : {}),
            },
          },
        ];
      case 'Close':
        if (state.status !== 'pending') return [];
        return [{ type: 'PaymentClosed', data: { ...base, reason: c.reason } }];
      case 'RequestRefund':
        if (state.refunds.has(c.refundId)) return [];
        if (state.status !== 'succeeded') throw new ConflictError('payment_not_paid', 'Only a completed payment can be refunded.');
        if (c.amount <= 0 || c.amount > refundable(state))
          throw new UnprocessableError('refund_too_large', `At most ${refundable(state)} fen can be refunded.`);
        return [
          ...(c.authorisation
            ? [
                {
                  type: 'RefundAuthorised' as const,
                  data: { ...base, refundId: c.refundId, amount: c.amount, reason: c.reason, ...c.authorisation },
                },
              ]
            : []),
          { type: 'RefundRequested', data: { ...base, refundId: c.refundId, amount: c.amount, reason: c.reason } },
        ];
      case 'CompleteRefund': {
        const r = state.refunds.get(c.refundId);
        if (!r || r.status !== 'requested') return [];
        return c.succeeded
          ? [
              {
                type: 'RefundSucceeded',
                data: { ...base, method: state.method, refundId: r.refundId, amount: r.amount, ...(c.desk ? { desk: c.desk } : {}) },
              },
            ]
          : [{ type: 'RefundFailed', data: { ...base, refundId: r.refundId, reason: c.reason } }];
      }
      default: {
        const never: never = c;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};
