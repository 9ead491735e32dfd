/**
 * The payment provider port. WeChat Pay (src/payments/wechatpay/) and the
 * sandbox implement it; payment commands know nothing else about providers.
 * Money is integer fen.
 */
export type OrderRequest = Readonly<{
  paymentId: string;
  description: string;
  amount: number;
  currency: 'CNY';
  payerOpenId?: string;
  notifyUrl: string;
  expiresAt: Date;
}>;
export type OrderResult = Readonly<{
  providerOrderId: string | null;
  codeUrl?: string;
  prepayId?: string;
  jsapiParams?: Record<string, string>;
  sandboxCompleteUrl?: string;
}>;
export type ProviderPaymentState = 'pending' | 'succeeded' | 'closed' | 'failed' | 'refunded';
export type QueryResult = Readonly<{
  paymentId: string;
  state: ProviderPaymentState;
  transactionId: string | null;
  amount: number | null;
  paidAt: Date | null;
}>;
export type RefundRequest = Readonly<{
  refundId: string;
  paymentId: string;
  amount: number;
  total: number;
  reason: string;
  notifyUrl: string;
}>;
export type RefundResult = Readonly<{ refundId: string; providerRefundId: string | null; state: 'processing' | 'succeeded' | 'failed' }>;
export type CallbackEvent =
  | Readonly<{ kind: 'payment'; paymentId: string; state: ProviderPaymentState; transactionId: string; amount: number; paidAt: Date }>
  | Readonly<{
      kind: 'refund';
      refundId: string;
      paymentId: string;
      state: 'succeeded' | 'failed' | 'processing';
      amount: number;
      providerRefundId: string;
    }>;

export interface PaymentProvider {
  readonly name: string;
  createOrder(o: OrderRequest): Promise<OrderResult>;
  query(paymentId: string): Promise<QueryResult>;
  close(paymentId: string): Promise<void>;
  refund(r: RefundRequest): Promise<RefundResult>;
  /** Verifies and decrypts a callback; throws CallbackRejectedError when anything is off. */
  parseCallback(headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<CallbackEvent>;
}

export class CallbackRejectedError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackRejectedError';
  }
}
