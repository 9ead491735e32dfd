import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  CallbackRejectedError,
  type CallbackEvent,
  type OrderRequest,
  type OrderResult,
  type PaymentProvider,
  type ProviderPaymentState,
  type QueryResult,
  type RefundRequest,
  type RefundResult,
} from '../provider.js';
import { AEAD_AES_256_GCM, AeadError, decryptResource } from './aead.js';
import { WeChatPayApiError, WeChatPayClient, WeChatPayTransport } from './client.js';
import type { WeChatPayConfig } from './config.js';
import { outRefundNoOf, outTradeNoOf, paymentIdOf } from './ids.js';
import { jsapiPayParams, readSignedHeaders, SignatureError, type SignedHeaders } from './sign.js';
import { PlatformCertificateVerifier, PublicKeyVerifier, type SignatureVerifier } from './verifier.js';

export type WeChatPayProviderOptions = Readonly<{
  /** The fetch to use (tests, proxies); Node's own by default. */
  fetch?: typeof fetch;
  /** Per request; 10 s by default. */
  timeoutMs?: number;
  /** The clock, in ms, for timestamps and their 5-minute window. */
  now?: () => number;
  /** Platform-certificate mode: the least time between two downloads caused by an unknown serial; 60 s by default. */
  minCertificateRefreshIntervalMs?: number;
}>;

/** A transaction as /v3/pay/transactions/… and TRANSACTION.* callbacks describe it (the fields used here). */
type Transaction = {
  appid?: string;
  mchid?: string;
  out_trade_no?: string;
  transaction_id?: string;
  trade_state?: string;
  success_time?: string;
  amount?: { total?: number; payer_total?: number; currency?: string };
};

/** A refund as /v3/refund/domestic/refunds and REFUND.* callbacks describe it. */
type Refund = {
  mchid?: string;
  out_trade_no?: string;
  out_refund_no?: string;
  refund_id?: string;
  status?: string;
  refund_status?: string;
  amount?: { refund?: number; total?: number };
};

type Notification = {
  id?: unknown;
  create_time?: unknown;
  event_type?: unknown;
  resource_type?: unknown;
  resource?: { algorithm?: unknown; ciphertext?: unknown; nonce?: unknown; associated_data?: unknown; original_type?: unknown };
};

const TRADE_STATES: Readonly<Record<string, ProviderPaymentState>> = {
  SUCCESS: 'succeeded',
  REFUND: 'refunded',
  NOTPAY: 'pending',
  USERPAYING: 'pending',
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'failed',
};

const REFUND_STATES: Readonly<Record<string, RefundResult['state']>> = {
  SUCCESS: 'succeeded',
  PROCESSING: 'processing',
  CLOSED: 'failed',
  ABNORMAL: 'failed',
};

const REFUND_EVENTS = new Set(['REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED']);

/** At most `n` characters, not splitting a character. */
function clip(text: string, n: number): string {
  const chars = Array.from(text);
  return chars.length <= n ? text : chars.slice(0, n).join('');
}

/** RFC 3339 in Beijing time, as WeChat Pay writes time_expire. */
export function beijingTime(d: Date): string {
  return `${new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

const isAmount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function reject(reason: string, message: string): never {
  throw new CallbackRejectedError(reason, message);
}

/**
 * WeChat Pay API v3 (直连商户): Native (QR code) orders, or JSAPI orders when
 * the payer's openid is known; query, close, refund; and callbacks verified
 * (signature, serial, 5-minute timestamp window) and decrypted with the APIv3
 * key. Talks to `config.baseUrl` with node:crypto and fetch only.
 */
export class WeChatPayProvider implements PaymentProvider {
  readonly name = 'wechatpay';
  readonly client: WeChatPayClient;
  readonly verifier: SignatureVerifier;
  private readonly privateKey: KeyObject;
  private readonly now: () => number;

  constructor(
    readonly config: WeChatPayConfig,
    options: WeChatPayProviderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.privateKey = createPrivateKey(config.privateKey);
    const transport = new WeChatPayTransport(
      { baseUrl: config.baseUrl, mchId: config.mchId, certSerial: config.certSerial, privateKey: this.privateKey },
      { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) },
    );
    const v = config.verification;
    this.verifier =
      v.mode === 'public-key'
        ? new PublicKeyVerifier(v.publicKey, v.publicKeyId)
        : new PlatformCertificateVerifier(() => transport.send('GET', '/v3/certificates'), config.apiV3Key, {
            now: this.now,
            ...(options.minCertificateRefreshIntervalMs !== undefined
              ? { minRefreshIntervalMs: options.minCertificateRefreshIntervalMs }
              : {}),
          });
    this.client = new WeChatPayClient(transport, this.verifier, this.now);
  }

  async createOrder(o: OrderRequest): Promise<OrderResult> {
    if (!Number.isSafeInteger(o.amount) || o.amount <= 0) throw new RangeError(`amount must be a positive number of fen, not ${o.amount}`);
    const outTradeNo = outTradeNoOf(o.paymentId);
    const order = {
      appid: this.config.appId,
      mchid: this.config.mchId,
      description: clip(o.description, 127),
      out_trade_no: outTradeNo,
      time_expire: beijingTime(o.expiresAt),
      notify_url: o.notifyUrl,
      amount: { total: o.amount, currency: o.currency },
    };
    if (o.payerOpenId) {
      const { data } = await this.client.call<{ prepay_id?: unknown }>('POST', '/v3/pay/transactions/jsapi', {
        ...order,
        payer: { openid: o.payerOpenId },
      });
      if (typeof data?.prepay_id !== 'string' || data.prepay_id === '')
        throw new Error('WeChat Pay answered the JSAPI order without prepay_id');
      return {
        providerOrderId: outTradeNo,
        prepayId: data.prepay_id,
        jsapiParams: jsapiPayParams(this.config.appId, data.prepay_id, this.privateKey, this.now()),
      };
    }
    const { data } = await this.client.call<{ code_url?: unknown }>('POST', '/v3/pay/transactions/native', order);
    if (typeof data?.code_url !== 'string' || data.code_url === '')
      throw new Error('WeChat Pay answered the Native order without code_url');
    return { providerOrderId: outTradeNo, codeUrl: data.code_url };
  }

  private orderPath(paymentId: string): string {
    return `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNoOf(paymentId))}`;
  }

  async query(paymentId: string): Promise<QueryResult> {
    let tx: Transaction;
    try {
      tx =
        (await this.client.call<Transaction>('GET', `${this.orderPath(paymentId)}?mchid=${encodeURIComponent(this.config.mchId)}`)).data ??
        {};
    } catch (err) {
      // Only a signed "no such order" is believed: the order never reached WeChat Pay.
      if (err instanceof WeChatPayApiError && err.verified && err.code === 'ORDER_NOT_EXIST')
        return { paymentId, state: 'closed', transactionId: null, amount: null, paidAt: null };
      throw err;
    }
    const state = TRADE_STATES[tx.trade_state ?? ''];
    if (!state) throw new Error(`WeChat Pay reported an unknown trade_state ${String(tx.trade_state)}`);
    if (tx.out_trade_no !== undefined && tx.out_trade_no !== outTradeNoOf(paymentId))
      throw new Error(`WeChat Pay answered about order ${tx.out_trade_no}`);
    const paidAt = tx.success_time ? new Date(tx.success_time) : null;
    return {
      paymentId,
      state,
      transactionId: tx.transaction_id || null,
      amount: isAmount(tx.amount?.total) ? tx.amount.total : null,
      paidAt: paidAt && !Number.isNaN(paidAt.getTime()) ? paidAt : null,
    };
  }

  async close(paymentId: string): Promise<void> {
    try {
      await this.client.call('POST', `${this.orderPath(paymentId)}/close`, { mchid: this.config.mchId });
    } catch (err) {
      if (err instanceof WeChatPayApiError && err.verified && err.code === 'ORDER_NOT_EXIST') return;
      throw err;
    }
  }

  async refund(r: RefundRequest): Promise<RefundResult> {
    const body = {
      out_trade_no: outTradeNoOf(r.paymentId),
      out_refund_no: outRefundNoOf(r.refundId),
      ...(r.reason ? { reason: clip(r.reason, 80) } : {}),
      notify_url: r.notifyUrl,
      amount: { refund: r.amount, total: r.total, currency: 'CNY' },
    };
    const { data } = await this.client.call<Refund>('POST', '/v3/refund/domestic/refunds', body);
    const state = REFUND_STATES[data?.status ?? ''];
    if (!state) throw new Error(`WeChat Pay reported an unknown refund status ${String(data?.status)}`);
    return { refundId: r.refundId, providerRefundId: data?.refund_id ?? null, state };
  }

  async parseCallback(headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<CallbackEvent> {
    let signed: SignedHeaders;
    try {
      signed = readSignedHeaders(headers, this.now());
      await this.verifier.verify(signed, rawBody);
    } catch (err) {
      if (err instanceof SignatureError) reject(err.reason, err.message);
      throw err; // the certificates could not be fetched: not the callback's fault, so it is not refused (WeChat Pay retries)
    }
    let n: Notification;
    try {
      n = JSON.parse(rawBody) as Notification;
    } catch {
      reject('malformed', 'the callback body is not JSON');
    }
    const r = n?.resource;
    if (typeof n !== 'object' || n === null || typeof n.event_type !== 'string' || typeof r !== 'object' || r === null)
      reject('malformed', 'the callback has no event_type or resource');
    if (
      r.algorithm !== AEAD_AES_256_GCM ||
      typeof r.ciphertext !== 'string' ||
      typeof r.nonce !== 'string' ||
      (r.associated_data !== undefined && typeof r.associated_data !== 'string')
    )
      reject('malformed', 'the resource is not AEAD_AES_256_GCM with ciphertext and nonce');
    let plain: unknown;
    try {
      plain = JSON.parse(
        decryptResource(this.config.apiV3Key, {
          algorithm: r.algorithm,
          ciphertext: r.ciphertext,
          nonce: r.nonce,
          associated_data: r.associated_data,
        }).toString('utf8'),
      );
    } catch (err) {
      if (err instanceof AeadError) reject('bad_ciphertext', err.message);
      reject('malformed', 'the decrypted resource is not JSON');
    }
    if (typeof plain !== 'object' || plain === null) reject('malformed', 'the decrypted resource is not an object');
    if ((plain as { mchid?: unknown }).mchid !== this.config.mchId) reject('wrong_merchant', 'the callback is for another merchant');
    if (n.event_type === 'TRANSACTION.SUCCESS') return this.paymentEvent(plain);
    if (REFUND_EVENTS.has(n.event_type)) return this.refundEvent(plain);
    reject('unsupported_event', `event_type ${n.event_type} is not handled`);
  }

  private paymentEvent(tx: Transaction): CallbackEvent {
    if (tx.appid !== this.config.appId) reject('wrong_merchant', 'the payment is for another appid');
    if (tx.trade_state !== 'SUCCESS') reject('malformed', `TRANSACTION.SUCCESS with trade_state ${String(tx.trade_state)}`);
    const paidAt = new Date(tx.success_time ?? '');
    if (typeof tx.out_trade_no !== 'string' || !tx.transaction_id || !isAmount(tx.amount?.total) || Number.isNaN(paidAt.getTime()))
      reject('malformed', 'the transaction lacks out_trade_no, transaction_id, amount.total or success_time');
    return {
      kind: 'payment',
      paymentId: paymentIdOf(tx.out_trade_no),
      state: 'succeeded',
      transactionId: tx.transaction_id,
      amount: tx.amount.total,
      paidAt,
    };
  }

  private refundEvent(rf: Refund): CallbackEvent {
    const state = REFUND_STATES[rf.refund_status ?? ''];
    if (!state) reject('malformed', `unknown refund_status ${String(rf.refund_status)}`);
    if (typeof rf.out_trade_no !== 'string' || typeof rf.out_refund_no !== 'string' || !rf.refund_id || !isAmount(rf.amount?.refund))
      reject('malformed', 'the refund lacks out_trade_no, out_refund_no, refund_id or amount.refund');
    return {
      kind: 'refund',
      refundId: rf.out_refund_no,
      paymentId: paymentIdOf(rf.out_trade_no),
      state,
      amount: rf.amount.refund,
      providerRefundId: rf.refund_id,
    };
  }
}
