import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
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

type Order = { request: OrderRequest; state: QueryResult['state']; transactionId: string | null; paidAt: Date | null };

/**
 * The default provider without WeChat Pay credentials: the same flow, played
 * locally. An order's `sandboxCompleteUrl` carries an HMAC of the payment id; a
 * POST to it makes the sandbox deliver the success callback it would have sent,
 * signed the same way, so callbacks go through the one verified path.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly orders = new Map<string, Order>();
  private readonly secret: Buffer;

  constructor(secret?: Buffer) {
    this.secret = secret ?? randomBytes(32);
  }

  private sign(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  async createOrder(o: OrderRequest): Promise<OrderResult> {
    this.orders.set(o.paymentId, { request: o, state: 'pending', transactionId: null, paidAt: null });
    return {
      providerOrderId: `sandbox-${o.paymentId}`,
      sandboxCompleteUrl: `/payments/sandbox/${o.paymentId}/complete?token=${this.sign(o.paymentId)}`,
    };
  }

  /** The callback the sandbox "sends" when the payer completes; a second call sends the same one again. */
  complete(paymentId: string, token: string, amount: number): { headers: Record<string, string>; body: string } {
    const expected = Buffer.from(this.sign(paymentId));
    const given = Buffer.from(token);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new CallbackRejectedError('bad_token', 'This sandbox link is not valid.');
    const order = this.orders.get(paymentId);
    if (order && order.state === 'pending') {
      order.state = 'succeeded';
      order.transactionId = `sandbox-tx-${randomUUID()}`;
      order.paidAt = new Date();
    }
    const event: CallbackEvent = {
      kind: 'payment',
      paymentId,
      state: 'succeeded',
      transactionId: order?.transactionId ?? `sandbox-tx-${paymentId}`,
      amount: order?.request.amount ?? amount,
      paidAt: order?.paidAt ?? new Date(),
    };
    const body = JSON.stringify(event);
    return { headers: { 'x-sandbox-signature': this.sign(body) }, body };
  }

  async query(paymentId: string): Promise<QueryResult> {
    const o = this.orders.get(paymentId);
    return {
      paymentId,
      state: o?.state ?? 'closed',
      transactionId: o?.transactionId ?? null,
      amount: o?.request.amount ?? null,
      paidAt: o?.paidAt ?? null,
    };
  }

  async close(paymentId: string): Promise<void> {
    const o = this.orders.get(paymentId);
    if (o && o.state === 'pending') o.state = 'closed';
  }

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
