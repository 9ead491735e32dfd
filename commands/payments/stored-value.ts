import { ConflictError } from '../../src/errors.js';
import { handle, load, precheck, step } from '../../src/eventstore/decide.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { paymentStream, type PaymentPurpose } from '../../src/events/payments.js';
import { walletStream } from '../../src/events/wallets.js';
import { newId } from '../../src/ids.js';
import { walletDecider } from '../wallets/decider.js';
import { moveMoneyAtDesk } from '../shifts/till.js';
import { paymentDecider } from './decider.js';
import { settle, type PaymentContext } from './process.js';

/**
 * Pays `amount` of a booking from a member's stored value. The payment is started first, so a
 * crash after the balance was taken leaves a pending payment that names the wallet, never money
 * taken with nothing to show for it; a refused spend closes the payment (`409 insufficient_balance`).
 * Then it succeeds and is applied like any other payment: a deposit confirms the booking.
 * `desk` is the staff member taking it (its shift records it), null when the guest pays themselves.
 */
export async function payFromStoredValue(
  ctx: PaymentContext,
  payment: Readonly<{ bookingId: string; memberId: string; purpose: PaymentPurpose; amount: number }>,
  by: string,
  desk: string | null,
  metadata: EventMetadata,
): Promise<string> {
  const { bookingId, memberId, purpose, amount } = payment;
  const paymentId = newId<'payment'>();
  const now = ctx.clock();
  const spend = { type: 'Spend', userId: memberId, paymentId, bookingId, amount, by, now } as const;
  // Refused before anything is written when the balance is short.
  await precheck(ctx.store, walletStream(memberId), walletDecider, spend);
  const stream = paymentStream(paymentId);
  await handle(
    ctx.store,
    stream,
    paymentDecider,
    {
      type: 'Start',
      paymentId,
      bookingId,
      purpose,
      method: 'stored_value',
      amount,
      providerOrderId: memberId,
      by,
      ...(desk ? { desk } : {}),
      now,
    },
    metadata,
  );
  try {
    await handle(ctx.store, walletStream(memberId), walletDecider, spend, metadata);
  } catch (err) {
    if (err instanceof ConflictError)
      await handle(ctx.store, stream, paymentDecider, { type: 'Close', reason: `stored value refused: ${err.code}`, now }, metadata);
    throw err;
  }
  await moveMoneyAtDesk(
    ctx.store,
    step(stream, paymentDecider, {
      type: 'Succeed',
      transactionId: `stored_value-${paymentId}`,
      amount,
      paidAt: now,
      ...(desk ? { desk } : {}),
      now,
    }),
    desk,
    { movementId: paymentId, kind: 'payment', method: 'stored_value', amount, bookingId, memberId },
    metadata,
    now,
  );
  const { state } = await load(ctx.store, stream, paymentDecider);
  if (state.status === 'none') throw new Error('stored-value payment vanished');
  await settle(ctx, state, metadata, desk);
  return paymentId;
}
