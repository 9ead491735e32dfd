import t from 'tap';
import { paymentDecider, refundable, type PaymentCommand } from '../../../commands/payments/decider.js';
import { ConflictError, UnprocessableError } from '../../../src/errors.js';
import type { PaymentEvent } from '../../../src/events/payments.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** One payment of a 54.00 元 deposit by WeChat Pay for booking bk-1; times are UTC+8 on 2026-03-13. */
const spec = DeciderSpecification.for(paymentDecider);

const local = (time: string) => new Date(`2026-03-13T${time}:00+08:00`);
const iso = (time: string) => local(time).toISOString();

const ids = { paymentId: 'pay-1', bookingId: 'bk-1' };

const started: PaymentEvent = {
  type: 'PaymentStarted',
  data: {
    ...ids,
    purpose: 'deposit',
    method: 'wechatpay',
    amount: 5400,
    providerOrderId: 'wx-order-1',
    by: 'user-guest',
    at: iso('10:00'),
  },
};
const succeeded: PaymentEvent = {
  type: 'PaymentSucceeded',
  data: { ...ids, method: 'wechatpay', purpose: 'deposit', transactionId: 'wx-tx-1', amount: 5400, paidAt: iso('10:01'), at: iso('10:02') },
};
const closed = (at = '10:30'): PaymentEvent => ({ type: 'PaymentClosed', data: { ...ids, reason: 'timed out', at: iso(at) } });
const refundRequested = (refundId: string, amount: number, at = '12:00'): PaymentEvent => ({
  type: 'RefundRequested',
  data: { ...ids, refundId, amount, reason: 'cancelled in time', at: iso(at) },
});
const refundSucceeded = (refundId: string, amount: number, at = '12:05'): PaymentEvent => ({
  type: 'RefundSucceeded',
  data: { ...ids, method: 'wechatpay', refundId, amount, at: iso(at) },
});
const refundFailed = (refundId: string, at = '12:05'): PaymentEvent => ({
  type: 'RefundFailed',
  data: { ...ids, refundId, reason: 'account frozen', at: iso(at) },
});

const start = (time = '10:00'): PaymentCommand => ({
  type: 'Start',
  ...ids,
  purpose: 'deposit',
  method: 'wechatpay',
  amount: 5400,
  providerOrderId: 'wx-order-1',
  by: 'user-guest',
  now: local(time),
});
const succeed = (amount = 5400, time = '10:02'): PaymentCommand => ({
  type: 'Succeed',
  transactionId: 'wx-tx-1',
  amount,
  paidAt: local('10:01'),
  now: local(time),
});
const close = (time = '10:30'): PaymentCommand => ({ type: 'Close', reason: 'timed out', now: local(time) });
const requestRefund = (refundId: string, amount: number, time = '12:00'): PaymentCommand => ({
  type: 'RequestRefund',
  refundId,
  amount,
  reason: 'cancelled in time',
  now: local(time),
});
const completeRefund = (refundId: string, succeeded: boolean, time = '12:05'): PaymentCommand => ({
  type: 'CompleteRefund',
  refundId,
  succeeded,
  reason: 'account frozen',
  now: local(time),
});

t.test('start: a new payment is started for one booking, purpose, method and amount', async (t) => {
  spec(t).given([]).when(start()).then([started]);
});

t.test('start: starting the same payment again records nothing', async (t) => {
  spec(t).given([started]).when(start('10:01')).thenNothing();
});

t.test('any command but start on an unknown payment is refused with payment_not_found', async (t) => {
  for (const command of [succeed(), close(), requestRefund('rf-1', 100), completeRefund('rf-1', true)]) {
    spec(t).given([]).when(command).thenThrows('payment_not_found', { is: ConflictError, status: 409 }, `${command.type} on no payment`);
  }
});

t.test('succeed: the provider reporting the amount asked records the success with its transaction', async (t) => {
  spec(t).given([started]).when(succeed()).then([succeeded]);
});

t.test('succeed: a success callback delivered twice is recorded once', async (t) => {
  spec(t).given([started, succeeded]).when(succeed(5400, '10:03')).thenNothing();
});

t.test('succeed: money that arrives after the order was closed is still recorded', async (t) => {
  spec(t)
    .given([started, closed()])
    .when(succeed(5400, '10:31'))
    .then([{ type: 'PaymentSucceeded', data: { ...succeeded.data, at: iso('10:31') } }]);
});

t.test('succeed: a different amount than asked is refused with amount_mismatch', async (t) => {
  spec(t).given([started]).when(succeed(5000)).thenThrows('amount_mismatch', { is: UnprocessableError, status: 422 });
});

t.test('succeed: cash at the desk records what was tendered and the change; too little or not cash is refused', async (t) => {
  const cashStarted: PaymentEvent = {
    type: 'PaymentStarted',
    data: { ...ids, purpose: 'balance', method: 'cash', amount: 5400, providerOrderId: null, by: 'user-waiter', at: iso('10:00') },
  };
  const tender = (tendered: number): PaymentCommand => ({ ...succeed(), tendered }) as PaymentCommand;
  spec(t)
    .given([cashStarted])
    .when(tender(10000))
    .then([
      {
        type: 'PaymentSucceeded',
        data: { ...succeeded.data, method: 'cash', purpose: 'balance', tendered: 10000, change: 4600 },
      },
    ]);
  spec(t).given([cashStarted]).when(tender(5000)).thenThrows('tendered_short', { is: UnprocessableError, status: 422 });
  spec(t).given([started]).when(tender(10000)).thenThrows('not_cash', { is: UnprocessableError, status: 422 });
});

t.test('close: a pending payment is closed', async (t) => {
  spec(t).given([started]).when(close()).then([closed()]);
});

t.test('close: a closed or already paid payment is left as it is', async (t) => {
  spec(t).given([started, closed()]).when(close('10:31')).thenNothing('closed already');
  spec(t).given([started, succeeded]).when(close()).thenNothing('paid: the money arrived');
});

t.test('refund: part of a completed payment can be refunded', async (t) => {
  spec(t)
    .given([started, succeeded])
    .when(requestRefund('rf-1', 2000))
    .then([refundRequested('rf-1', 2000)]);
});

t.test('refund: the whole of a completed payment can be refunded', async (t) => {
  spec(t)
    .given([started, succeeded])
    .when(requestRefund('rf-1', 5400))
    .then([refundRequested('rf-1', 5400)]);
});

t.test('refund: the same refund requested again records nothing', async (t) => {
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000)])
    .when(requestRefund('rf-1', 2000, '12:01'))
    .thenNothing('still under way');
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000), refundSucceeded('rf-1', 2000)])
    .when(requestRefund('rf-1', 2000, '12:10'))
    .thenNothing('done');
});

t.test('refund: a payment not (yet) completed cannot be refunded (payment_not_paid)', async (t) => {
  spec(t).given([started]).when(requestRefund('rf-1', 2000)).thenThrows('payment_not_paid', { is: ConflictError, status: 409 }, 'pending');
  spec(t)
    .given([started, closed()])
    .when(requestRefund('rf-1', 2000))
    .thenThrows('payment_not_paid', { is: ConflictError, status: 409 }, 'closed');
});

t.test('refund: more than is left to refund, or nothing at all, is refused with refund_too_large', async (t) => {
  const tooLarge = { is: UnprocessableError, status: 422 } as const;
  spec(t).given([started, succeeded]).when(requestRefund('rf-1', 5401)).thenThrows('refund_too_large', tooLarge, 'more than was paid');
  spec(t).given([started, succeeded]).when(requestRefund('rf-1', 0)).thenThrows('refund_too_large', tooLarge, 'zero');
  spec(t).given([started, succeeded]).when(requestRefund('rf-1', -100)).thenThrows('refund_too_large', tooLarge, 'negative');
  // 54.00 paid, 20.00 refunding: 34.00 left.
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000)])
    .when(requestRefund('rf-2', 3401))
    .thenThrows('refund_too_large', tooLarge, 'a refund under way counts as gone');
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000)])
    .when(requestRefund('rf-2', 3400))
    .then([refundRequested('rf-2', 3400)], 'the rest fits');
});

t.test('refund: a failed refund frees its amount to be refunded again', async (t) => {
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 5400), refundFailed('rf-1')])
    .when(requestRefund('rf-2', 5400, '12:10'))
    .then([refundRequested('rf-2', 5400, '12:10')]);
});

t.test('complete refund: the provider confirming a requested refund records its success with method and amount', async (t) => {
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000)])
    .when(completeRefund('rf-1', true))
    .then([refundSucceeded('rf-1', 2000)]);
});

t.test('complete refund: the provider refusing a requested refund records its failure with the reason', async (t) => {
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000)])
    .when(completeRefund('rf-1', false))
    .then([refundFailed('rf-1')]);
});

t.test('complete refund: an outcome delivered again, or for an unknown refund, records nothing', async (t) => {
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000), refundSucceeded('rf-1', 2000)])
    .when(completeRefund('rf-1', true, '12:06'))
    .thenNothing('succeeded already');
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000), refundFailed('rf-1')])
    .when(completeRefund('rf-1', false, '12:06'))
    .thenNothing('failed already');
  spec(t)
    .given([started, succeeded, refundRequested('rf-1', 2000), refundSucceeded('rf-1', 2000)])
    .when(completeRefund('rf-1', false, '12:06'))
    .thenNothing('a late contrary outcome');
  spec(t).given([started, succeeded]).when(completeRefund('rf-9', true)).thenNothing('never requested');
});

t.test('state: refundable is what was paid less refunds requested or done, failed ones excepted', async (t) => {
  const after = (events: readonly PaymentEvent[]) => {
    const s = events.reduce(paymentDecider.evolve, paymentDecider.initialState());
    if (s.status === 'none') throw new Error('no payment');
    return s;
  };
  t.equal(refundable(after([started])), 0, 'nothing paid yet');
  t.equal(refundable(after([started, succeeded])), 5400);
  // 5400 − 2000 (succeeded) − 1000 (requested) = 2400; the failed 400 does not count.
  t.equal(
    refundable(
      after([
        started,
        succeeded,
        refundRequested('rf-1', 2000),
        refundSucceeded('rf-1', 2000),
        refundRequested('rf-2', 1000),
        refundRequested('rf-3', 400),
        refundFailed('rf-3'),
      ]),
    ),
    2400,
  );
});
