import type { EventMetadata } from '../../src/eventstore/port.js';
import { load } from '../../src/eventstore/decide.js';
import { paymentStream } from '../../src/events/payments.js';
import { paymentDecider, refundable } from '../payments/decider.js';
import { refundPayment, type PaymentContext } from '../payments/process.js';

/** What is still refundable of each of a booking's payments, in the order given, with the paid ones only. */
export async function refundablePayments(ctx: PaymentContext, paymentIds: readonly string[]) {
  const out: { paymentId: string; refundable: number }[] = [];
  for (const paymentId of paymentIds) {
    const { state } = await load(ctx.store, paymentStream(paymentId), paymentDecider);
    if (state.status === 'succeeded') out.push({ paymentId, refundable: refundable(state) });
  }
  return out;
}

/**
 * Gives back `amount` from a booking's payments in the order given, each
 * through the method that took it (the provider, the member's stored value, or
 * paid out at the desk for cash and card, from `desk`'s till). Returns what was given back.
 */
export async function refundBooking(
  ctx: PaymentContext,
  paymentIds: readonly string[],
  amount: number,
  reason: string,
  metadata: EventMetadata,
  desk: string | null = null,
): Promise<number> {
  let left = amount;
  for (const p of await refundablePayments(ctx, paymentIds)) {
    if (left <= 0) break;
    const part = Math.min(left, p.refundable);
    await refundPayment(ctx, p.paymentId, part, reason, metadata, desk);
    left -= part;
  }
  return amount - left;
}
