import { AppError, ConflictError, UnavailableError } from '../../src/errors.js';
import { handle, load, step } from '../../src/eventstore/decide.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { paymentStream, type PaymentMethod, type PaymentPurpose } from '../../src/events/payments.js';
import type { CallbackEvent } from '../../src/payments/provider.js';
import type { Clock } from '../../src/clock.js';
import { addMinutes } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import type { Logger } from '../../src/logger.js';
import type { PaymentProvider } from '../../src/payments/provider.js';
import { newId } from '../../src/ids.js';
import { confirmBooking } from '../bookings/confirm.js';
import type { Booking } from '../bookings/decider.js';
import { paymentDecider, refundable, type Payment } from './decider.js';
import { walletDecider } from '../wallets/decider.js';
import { walletStream } from '../../src/events/wallets.js';
import { moveMoneyAtDesk } from '../shifts/till.js';
import type { DeskMethod } from '../../src/events/shifts.js';

/** How long a provider order stays open before the timeout job asks the provider and closes it. */
export const PAYMENT_TIMEOUT_MINUTES = 15;
export const PAYMENT_TIMEOUT = 'payment-timeout';

const NOTIFY_PATH = '/payments/wechatpay/notify';

/** What payment commands use of the platform. */
export type PaymentContext = Readonly<{
  store: EventStore;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  payments: PaymentProvider;
  /** Where the provider sends its callbacks. */
  config: Readonly<{ publicUrl: string }>;
}>;

/** Starts paying `amount` of a booking with the configured provider; the order's details go back to the payer. */
export async function startPayment(
  ctx: PaymentContext,
  booking: Booking,
  purpose: PaymentPurpose,
  amount: number,
  by: string,
  metadata: EventMetadata,
  payerOpenId?: string,
) {
  const paymentId = newId<'payment'>();
  const now = ctx.clock();
  const method = ctx.payments.name as PaymentMethod;
  await handle(
    ctx.store,
    paymentStream(paymentId),
    paymentDecider,
    { type: 'Start', paymentId, bookingId: booking.id, purpose, method, amount, providerOrderId: null, by, now },
    metadata,
  );
  let order;
  try {
    order = await ctx.payments.createOrder({
      paymentId,
      description: `KTV booking ${booking.id.slice(0, 8)} ${purpose}`,
      amount,
      currency: 'CNY',
      notifyUrl: `${ctx.config.publicUrl}${NOTIFY_PATH}`,
      expiresAt: addMinutes(now, PAYMENT_TIMEOUT_MINUTES),
      ...(payerOpenId ? { payerOpenId } : {}),
    });
  } catch (err) {
    await handle(
      ctx.store,
      paymentStream(paymentId),
      paymentDecider,
      { type: 'Close', reason: 'provider refused the order', now: ctx.clock() },
      metadata,
    );
    throw new UnavailableError(
      'payment_provider_unavailable',
      `The payment provider did not take the order: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  await ctx.jobs.schedule(PAYMENT_TIMEOUT, paymentId, addMinutes(now, PAYMENT_TIMEOUT_MINUTES));
  return { paymentId, amount, method, order };
}

/**
 * A payment taken at the desk (cash or card): started and succeeded at once, then applied like
 * any other; the money belongs to the open shift of the staff member who took it (`by`). For cash,
 * `tendered` is what the guest handed over for it, when the desk entered it (the receipt's 收款 and 找零).
 */
export async function recordDeskPayment(
  ctx: PaymentContext,
  bookingId: string,
  method: 'cash' | 'card',
  purpose: PaymentPurpose,
  amount: number,
  by: string,
  metadata: EventMetadata,
  tendered?: number,
) {
  const paymentId = newId<'payment'>();
  const now = ctx.clock();
  await handle(
    ctx.store,
    paymentStream(paymentId),
    paymentDecider,
    { type: 'Start', paymentId, bookingId, purpose, method, amount, providerOrderId: null, by, now },
    metadata,
  );
  await moveMoneyAtDesk(
    ctx.store,
    step(paymentStream(paymentId), paymentDecider, {
      type: 'Succeed',
      transactionId: `${method}-${paymentId}`,
      amount,
      paidAt: now,
      tendered,
      desk: by,
      now,
    }),
    by,
    { movementId: paymentId, kind: 'payment', method, amount, bookingId, memberId: null },
    metadata,
    now,
  );
  return paymentId;
}

/**
 * Applies a verified provider callback. Delivered twice or out of order, it has
 * one effect: the payment stream records success once, and confirming the
 * booking is itself idempotent. A payment for a booking that can no longer be
 * confirmed (hold expired, cancelled) is refunded in full.
 */
export async function applyCallback(ctx: PaymentContext, event: CallbackEvent): Promise<void> {
  const metadata = {
    actor: `provider:${ctx.payments.name}`,
    causationId: event.kind === 'payment' ? event.transactionId : event.providerRefundId,
  };
  const now = ctx.clock();
  if (event.kind === 'refund') {
    if (event.state === 'processing') return;
    await handle(
      ctx.store,
      paymentStream(event.paymentId),
      paymentDecider,
      { type: 'CompleteRefund', refundId: event.refundId, succeeded: event.state === 'succeeded', reason: event.state, now },
      metadata,
    );
    return;
  }
  if (event.state !== 'succeeded') {
    if (event.state === 'closed' || event.state === 'failed')
      await handle(
        ctx.store,
        paymentStream(event.paymentId),
        paymentDecider,
        { type: 'Close', reason: `provider reports ${event.state}`, now },
        metadata,
      );
    return;
  }
  const { state } = await handle(
    ctx.store,
    paymentStream(event.paymentId),
    paymentDecider,
    { type: 'Succeed', transactionId: event.transactionId, amount: event.amount, paidAt: event.paidAt, now },
    metadata,
  );
  if (state.status === 'none') throw new Error('payment vanished');
  await settle(ctx, state, metadata);
}

/**
 * What a succeeded payment does to its booking: a deposit confirms it and is
 * kept (from stored value, less than what is still due pays that part and the
 * booking stays held), or is given back in full when it cannot count (the hold
 * expired, the booking was cancelled, or another payment already confirmed it),
 * from the till of `desk` when staff took it. Run again for the same payment, it changes nothing.
 */
export async function settle(ctx: PaymentContext, payment: Payment, metadata: EventMetadata, desk: string | null = null): Promise<void> {
  if (payment.purpose !== 'deposit') return;
  let refused: string;
  try {
    const booking = await confirmBooking(
      ctx.store,
      payment.bookingId,
      { paymentId: payment.id, amount: payment.paid, by: metadata.actor ?? 'system', part: payment.method === 'stored_value' },
      metadata,
      ctx.clock(),
    );
    if (booking.paymentIds.includes(payment.id)) return;
    refused = 'another payment already confirmed the booking';
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    refused = `booking cannot be confirmed (${err.code})`;
  }
  // Derived from what is left to refund, so a repeated delivery refunds nothing more.
  await refundPayment(ctx, payment.id, refundable(payment), refused, metadata, desk);
}

/**
 * Gives money back through the payment's own method: providers answer later by callback; desk
 * refunds (cash, card) are immediate and paid out of the till of `desk`, the staff member at the
 * desk (null when none is); stored value goes back to the member's balance at once.
 */
export async function refundPayment(
  ctx: PaymentContext,
  paymentId: string,
  amount: number,
  reason: string,
  metadata: EventMetadata,
  desk: string | null = null,
  authorisation?: Readonly<{ requestedBy: string; approvedBy: string; vatRatePercent: number }>,
): Promise<string | null> {
  if (amount <= 0) return null;
  // Derived from the payment and amount so a retried refund is the same refund.
  const { state } = await load(ctx.store, paymentStream(paymentId), paymentDecider);
  if (state.status !== 'succeeded') throw new ConflictError('payment_not_paid', 'Only a completed payment can be refunded.');
  const refundId = `${paymentId}-r${state.refunds.size + 1}`;
  const now = ctx.clock();
  await handle(
    ctx.store,
    paymentStream(paymentId),
    paymentDecider,
    { type: 'RequestRefund', refundId, amount, reason, ...(authorisation ? { authorisation } : {}), now },
    metadata,
  );
  // Refunds that need no provider are paid out at once, into the shift of whoever handed them over.
  const paidOut = (method: DeskMethod, memberId: string | null, how: string) =>
    moveMoneyAtDesk(
      ctx.store,
      step(paymentStream(paymentId), paymentDecider, {
        type: 'CompleteRefund',
        refundId,
        succeeded: true,
        reason: how,
        ...(desk ? { desk } : {}),
        now,
      }),
      desk,
      { movementId: refundId, kind: 'refund', method, amount, bookingId: state.bookingId, memberId },
      metadata,
      now,
    );
  if (state.method === 'stored_value' && state.providerOrderId) {
    const userId = state.providerOrderId;
    await handle(ctx.store, walletStream(userId), walletDecider, { type: 'Return', userId, paymentId, refundId, amount, now }, metadata);
    await paidOut('stored_value', userId, 'returned to the stored value');
    return refundId;
  }
  if (state.method === 'cash' || state.method === 'card') {
    await paidOut(state.method, null, 'paid out at the desk');
    return refundId;
  }
  try {
    const r = await ctx.payments.refund({
      refundId,
      paymentId,
      amount,
      total: state.paid,
      reason,
      notifyUrl: `${ctx.config.publicUrl}${NOTIFY_PATH}`,
    });
    if (r.state !== 'processing')
      await handle(
        ctx.store,
        paymentStream(paymentId),
        paymentDecider,
        { type: 'CompleteRefund', refundId, succeeded: r.state === 'succeeded', reason: r.state, now: ctx.clock() },
        metadata,
      );
  } catch (err) {
    // The request stays recorded; the timeout sweep asks again.
    if (err instanceof AppError) throw err;
    ctx.logger.error({ err, paymentId, refundId }, 'refund request failed; it stays requested');
  }
  return refundId;
}

/** The timeout job: a payment with no callback is asked about, and closed if the payer never paid. */
export async function timeOutPayment(ctx: PaymentContext, paymentId: string): Promise<void> {
  const { state } = await load(ctx.store, paymentStream(paymentId), paymentDecider);
  if (state.status !== 'pending') return;
  const metadata = { actor: 'system', causationId: `timeout:${paymentId}` };
  if (state.method === 'stored_value') return finishStoredValue(ctx, state, metadata);
  if (state.method === 'cash' || state.method === 'card') {
    // Only the desk records these, in the request that started it: one still pending was cut short by a
    // crash, the desk saw its request fail and takes the money again, so this one never happened.
    await handle(
      ctx.store,
      paymentStream(paymentId),
      paymentDecider,
      { type: 'Close', reason: 'desk payment not completed', now: ctx.clock() },
      metadata,
    );
    return;
  }
  const q = await ctx.payments.query(paymentId);
  if (q.state === 'succeeded' && q.transactionId && q.amount !== null) {
    await applyCallback(ctx, {
      kind: 'payment',
      paymentId,
      state: 'succeeded',
      transactionId: q.transactionId,
      amount: q.amount,
      paidAt: q.paidAt ?? ctx.clock(),
    });
    return;
  }
  if (q.state === 'refunded') {
    // Paid and refunded without any callback reaching us: closing would fail and refunding again would pay twice.
    ctx.logger.warn({ paymentId }, 'the provider reports a refund of a payment never seen to succeed; left for reconciliation');
    return;
  }
  await ctx.payments.close(paymentId);
  await handle(
    ctx.store,
    paymentStream(paymentId),
    paymentDecider,
    { type: 'Close', reason: 'no payment before the timeout', now: ctx.clock() },
    metadata,
  );
}

/**
 * A stored-value payment left pending by a crash between its steps: the member's wallet is its
 * provider, so the wallet says whether the value was taken. Taken, the payment succeeds (in the till
 * of the staff member who took it at the desk, as it would have) and is applied; not taken, it is
 * closed (the sweep only sees payments long past their request).
 */
async function finishStoredValue(ctx: PaymentContext, payment: Payment, metadata: EventMetadata): Promise<void> {
  const stream = paymentStream(payment.id);
  const spent = payment.providerOrderId
    ? (await load(ctx.store, walletStream(payment.providerOrderId), walletDecider)).state.spends.has(payment.id)
    : false;
  const now = ctx.clock();
  if (!spent) {
    await handle(ctx.store, stream, paymentDecider, { type: 'Close', reason: 'stored value never taken', now }, metadata);
    return;
  }
  const { desk, amount, bookingId, providerOrderId: memberId } = payment;
  await moveMoneyAtDesk(
    ctx.store,
    step(stream, paymentDecider, {
      type: 'Succeed',
      transactionId: `stored_value-${payment.id}`,
      amount,
      paidAt: now,
      ...(desk ? { desk } : {}),
      now,
    }),
    desk,
    { movementId: payment.id, kind: 'payment', method: 'stored_value', amount, bookingId, memberId },
    metadata,
    now,
  );
  const { state } = await load(ctx.store, stream, paymentDecider);
  if (state.status !== 'none') await settle(ctx, state, metadata, desk);
}
