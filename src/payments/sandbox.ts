import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  CallbackRejectedError,
  type CallbackEvent,
  type OrderRequest,
  type OrderResult,
  type PaymentProvider,
  type QueryResult,
  type RefundRequest,
  type RefundResult,
} from './provider.js';

/** What the sandbox needs to know of a payment to play its callback: read from the payment's stream by the caller. */
export type SandboxOrder = Readonly<{ paymentId: string; amount: number }>;

/**
 * The default provider without WeChat Pay credentials: the same flow, played
 * locally. An order's `sandboxCompleteUrl` carries an HMAC of the payment id; a
 * POST to it makes the sandbox deliver the success callback it would have sent,
 * signed the same way, so callbacks go through the one verified path.
 *
 * It keeps nothing in memory: the order is the payment's own stream (its
 * PaymentStarted records the amount), and the secret derives from the signing
 * key, so a link works after a restart and on any instance.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly secret: Buffer;

  constructor(secret?: Buffer) {
    this.secret = secret ?? randomBytes(32);
  }

  private sign(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  async createOrder(o: OrderRequest): Promise<OrderResult> {
    return {
      providerOrderId: `sandbox-${o.paymentId}`,
      sandboxCompleteUrl: `/payments/sandbox/${o.paymentId}/complete?token=${this.sign(o.paymentId)}`,
    };
  }

  /** Throws CallbackRejectedError unless `token` is this sandbox's link token for the payment. */
  verifyLink(paymentId: string, token: string): void {
    const expected = Buffer.from(this.sign(paymentId));
    const given = Buffer.from(token);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new CallbackRejectedError('bad_token', 'This sandbox link is not valid.');
  }

  /**
   * The callback the sandbox "sends" when the payer completes; a second call sends the same one again.
   * The transaction id derives from the payment, so every delivery (on any instance) names the same transaction.
   */
  complete(order: SandboxOrder, token: string, paidAt: Date): { headers: Record<string, string>; body: string } {
    this.verifyLink(order.paymentId, token);
    const event: CallbackEvent = {
      kind: 'payment',
      paymentId: order.paymentId,
      state: 'succeeded',
      transactionId: `sandbox-tx-${order.paymentId}`,
      amount: order.amount,
      paidAt,
    };
    const body = JSON.stringify(event);
    return { headers: { 'x-sandbox-signature': this.sign(body) }, body };
  }

  /**
   * The sandbox only learns of a completion through its link, which records it on the payment stream at once;
   * so a payment the stream still has pending was not paid, and the timeout closes it.
   */
  async query(paymentId: string): Promise<QueryResult> {
    return { paymentId, state: 'pending', transactionId: null, amount: null, paidAt: null };
  }

  async close(): Promise<void> {}

  async refund(r: RefundRequest): Promise<RefundResult> {
    return { refundId: r.refundId, providerRefundId: `sandbox-refund-${r.refundId}`, state: 'succeeded' };
  }

  async parseCallback(headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<CallbackEvent> {
    const signature = headers['x-sandbox-signature'];
    if (typeof signature !== 'string' || signature !== this.sign(rawBody))
      throw new CallbackRejectedError('bad_signature', 'The sandbox callback signature does not match.');
    const e = JSON.parse(rawBody) as CallbackEvent & { paidAt: string };
    return e.kind === 'payment' ? { ...e, paidAt: new Date(e.paidAt) } : e;
  }
}
