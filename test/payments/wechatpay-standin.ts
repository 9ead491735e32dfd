/**
 * A stand-in for WeChat Pay API v3 on 127.0.0.1, speaking the real protocol
 * with keys made in the test. It is written independently of
 * src/payments/wechatpay (its own signing, verification and AES-GCM code,
 * straight from the specification), so the two only agree when both follow it.
 *
 * - Every request must carry a valid `WECHATPAY2-SHA256-RSA2048` Authorization
 *   signed with the merchant key (401 SIGN_ERROR otherwise).
 * - Every other answer is signed with the platform key, with
 *   Wechatpay-Timestamp/-Nonce/-Serial/-Signature; `misbehave` makes it sign
 *   wrongly on purpose.
 * - Native and JSAPI orders, query, close and refunds live in memory;
 *   /v3/certificates serves the platform certificate encrypted with the APIv3 key.
 * - It builds signed, encrypted TRANSACTION.SUCCESS and REFUND.* callbacks and
 *   POSTs them where asked.
 */
import {
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type MerchantIdentity = Readonly<{ privateKeyPem: string; publicKey: KeyObject; serial: string }>;
export type PlatformIdentity = Readonly<{ privateKey: KeyObject; publicKeyPem: string; certificatePem: string; serial: string }>;

/** A merchant API key pair and a certificate serial of the kind WeChat Pay issues (40 hex digits). */
export function makeMerchant(): MerchantIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey, serial: serialHex() };
}

function serialHex(): string {
  const b = randomBytes(20);
  b[0] = (b[0]! & 0x7f) | 0x10; // positive, no leading zero
  return b.toString('hex').toUpperCase();
}

/** A platform key and a self-signed X.509 certificate for it, made with the openssl command (node cannot issue certificates). */
export function makePlatform(): PlatformIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wxpay-standin-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const serial = serialHex();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-sha256',
        '-key',
        keyFile,
        '-subj',
        '/C=CN/O=Tenpay.com/OU=Tenpay.com CA Center/CN=Tenpay.com Root CA',
        '-days',
        '2',
        '-set_serial',
        `0x${serial}`,
        '-out',
        certFile,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const certificatePem = readFileSync(certFile, 'utf8');
    const cert = new X509Certificate(certificatePem);
    if (cert.serialNumber.toUpperCase() !== serial) throw new Error(`openssl made serial ${cert.serialNumber}, not ${serial}`);
    return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), certificatePem, serial };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A random APIv3 key: 32 letters and digits. */
export function makeApiV3Key(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(32), (b) => alphabet[b % alphabet.length]).join('');
}

// ── the protocol, written out from the specification ─────────────────────────

function beijing(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** AEAD_AES_256_GCM as WeChat Pay uses it: base64(ciphertext || tag), a 12-character nonce, UTF-8 associated data. */
export function encrypt(
  apiV3Key: string,
  plaintext: string,
  associatedData: string,
): { algorithm: 'AEAD_AES_256_GCM'; ciphertext: string; nonce: string; associated_data: string } {
  const nonce = randomBytes(9).toString('base64url').slice(0, 12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'ascii'), Buffer.from(nonce, 'ascii'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: associatedData };
}

/** The Wechatpay-* headers over `timestamp\nnonce\nbody\n`. */
export function signedHeaders(key: KeyObject, serial: string, body: string, timestampSeconds: number): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  const signature = sign('sha256', Buffer.from(`${timestampSeconds}\n${nonce}\n${body}\n`, 'utf8'), key).toString('base64');
  return {
    'Wechatpay-Timestamp': String(timestampSeconds),
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
    'Wechatpay-Serial': serial,
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

// ── the server ───────────────────────────────────────────────────────────────

export type Misbehaviour = 'wrong-key' | 'unsigned' | 'tampered-body' | 'stale' | 'unknown-serial';

export type StandInOptions = Readonly<{
  mchId: string;
  appId: string;
  merchant: Pick<MerchantIdentity, 'publicKey' | 'serial'>;
  apiV3Key: string;
  /** Which serial answers and callbacks carry: the certificate's, or a public key id. */
  mode: 'platform-certificates' | 'public-key';
  platform?: PlatformIdentity;
  publicKeyId?: string;
  /** What a new refund's status is; PROCESSING (as usual) by default. */
  refundStatus?: 'PROCESSING' | 'SUCCESS';
}>;

export type StandInOrder = {
  tradeType: 'NATIVE' | 'JSAPI';
  body: Record<string, any>;
  outTradeNo: string;
  total: number;
  notifyUrl: string;
  openid: string | null;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND' | 'USERPAYING' | 'PAYERROR' | 'REVOKED';
  transactionId: string | null;
  successTime: string | null;
  codeUrl?: string;
  prepayId?: string;
  refunded: number;
};

export type StandInRefund = {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  refund: number;
  total: number;
  reason: string | undefined;
  notifyUrl: string | undefined;
  status: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  createTime: string;
  successTime: string | null;
};

export type LoggedRequest = Readonly<{ method: string; url: string; status: number; body: string }>;

export type CallbackOptions = {
  eventType?: string;
  /** Changes the decrypted resource before encryption. */
  plaintext?: (resource: Record<string, any>) => void;
  /** Changes the encrypted resource before signing (tampering that the signature covers). */
  resource?: (resource: Record<string, any>) => void;
  serial?: string;
  timestampSeconds?: number;
  signWith?: KeyObject;
  /** Changes the body after signing (tampering the signature should catch). */
  afterSigning?: (body: string) => string;
};

export type Notification = { headers: Record<string, string>; body: string };

export class WeChatPayStandIn {
  readonly orders = new Map<string, StandInOrder>();
  readonly refunds = new Map<string, StandInRefund>();
  readonly log: LoggedRequest[] = [];
  /** Signs answers wrongly on purpose, until set back to null: those of `misbehaveOn`. */
  misbehave: Misbehaviour | null = null;
  misbehaveOn: 'api' | 'certificates' | 'all' = 'api';
  /** Rewrites the /v3/certificates entries before they are signed (e.g. to list a certificate under another serial). */
  certificateEntries: ((entries: Record<string, any>[]) => Record<string, any>[]) | null = null;
  /** The certificates /v3/certificates lists; the last one signs. */
  certificates: PlatformIdentity[];
  readonly publicKeyId: string;
  url = '';
  private readonly server: Server;

  private constructor(readonly options: StandInOptions) {
    this.certificates = [options.platform ?? makePlatform()];
    this.publicKeyId = options.publicKeyId ?? `PUB_KEY_ID_0${options.mchId}${randomBytes(6).toString('hex').toUpperCase()}`;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) this.reply(res, req, 500, { code: 'SYSTEM_ERROR', message: err.message });
      });
    });
  }

  static async start(options: StandInOptions): Promise<WeChatPayStandIn> {
    const s = new WeChatPayStandIn(options);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The key that signs now and what it is called in Wechatpay-Serial. */
  get signer(): { key: KeyObject; serial: string; publicKeyPem: string } {
    const p = this.certificates[this.certificates.length - 1]!;
    return { key: p.privateKey, serial: this.options.mode === 'public-key' ? this.publicKeyId : p.serial, publicKeyPem: p.publicKeyPem };
  }

  /** A new platform certificate that signs from now on; the old one stays listed. */
  rotate(): PlatformIdentity {
    const p = makePlatform();
    this.certificates.push(p);
    return p;
  }

  /** The payer pays the order. */
  pay(outTradeNo: string, at = Date.now()): StandInOrder {
    const o = this.orders.get(outTradeNo);
    if (!o) throw new Error(`no order ${outTradeNo}`);
    if (o.state !== 'NOTPAY') throw new Error(`order ${outTradeNo} is ${o.state}`);
    o.state = 'SUCCESS';
    o.transactionId = `42000${Date.now()}${randomBytes(6).toString('hex')}`.slice(0, 28);
    o.successTime = beijing(at);
    return o;
  }

  /** A pending refund reaches its end. */
  settleRefund(outRefundNo: string, status: 'SUCCESS' | 'ABNORMAL' | 'CLOSED' = 'SUCCESS'): StandInRefund {
    const r = this.refunds.get(outRefundNo);
    if (!r) throw new Error(`no refund ${outRefundNo}`);
    r.status = status;
    if (status === 'SUCCESS') r.successTime = beijing(Date.now());
    return r;
  }

  transactionResource(o: StandInOrder): Record<string, any> {
    return {
      mchid: this.options.mchId,
      appid: this.options.appId,
      out_trade_no: o.outTradeNo,
      ...(o.transactionId ? { transaction_id: o.transactionId } : {}),
      trade_type: o.tradeType,
      trade_state: o.state,
      trade_state_desc: {
        NOTPAY: '未支付',
        SUCCESS: '支付成功',
        CLOSED: '已关闭',
        REFUND: '转入退款',
        USERPAYING: '用户支付中',
        PAYERROR: '支付失败',
        REVOKED: '已撤销',
      }[o.state],
      ...(o.state === 'NOTPAY' || o.state === 'CLOSED' ? {} : { bank_type: 'OTHERS', success_time: o.successTime }),
      attach: '',
      ...(o.openid && o.state !== 'NOTPAY' ? { payer: { openid: o.openid } } : {}),
      amount:
        o.state === 'NOTPAY' || o.state === 'CLOSED'
          ? { total: o.total, currency: 'CNY' }
          : { total: o.total, payer_total: o.total, currency: 'CNY', payer_currency: 'CNY' },
    };
  }

  refundResource(r: StandInRefund): Record<string, any> {
    const o = this.orders.get(r.outTradeNo)!;
    return {
      mchid: this.options.mchId,
      out_trade_no: r.outTradeNo,
      transaction_id: o.transactionId,
      out_refund_no: r.outRefundNo,
      refund_id: r.refundId,
      refund_status: r.status,
      ...(r.successTime ? { success_time: r.successTime } : {}),
      user_received_account: '支付用户零钱',
      amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund },
    };
  }

  /** The TRANSACTION.SUCCESS callback for a paid order, signed and encrypted (or spoiled, per `opts`). */
  paymentNotification(outTradeNo: string, opts: CallbackOptions = {}): Notification {
    const o = this.orders.get(outTradeNo);
    if (!o) throw new Error(`no order ${outTradeNo}`);
    return this.notification(opts.eventType ?? 'TRANSACTION.SUCCESS', '支付成功', 'transaction', this.transactionResource(o), opts);
  }

  /** The REFUND.* callback for a refund, after its status. */
  refundNotification(outRefundNo: string, opts: CallbackOptions = {}): Notification {
    const r = this.refunds.get(outRefundNo);
    if (!r) throw new Error(`no refund ${outRefundNo}`);
    if (r.status === 'PROCESSING' && !opts.eventType) throw new Error('WeChat Pay sends no callback while a refund is processing');
    const summary = { SUCCESS: '退款成功', ABNORMAL: '退款异常', CLOSED: '退款关闭', PROCESSING: '退款处理中' }[r.status];
    return this.notification(opts.eventType ?? `REFUND.${r.status}`, summary, 'refund', this.refundResource(r), opts);
  }

  private notification(
    eventType: string,
    summary: string,
    originalType: string,
    plain: Record<string, any>,
    opts: CallbackOptions,
  ): Notification {
    opts.plaintext?.(plain);
    const resource: Record<string, any> = {
      original_type: originalType,
      ...encrypt(this.options.apiV3Key, JSON.stringify(plain), originalType),
    };
    opts.resource?.(resource);
    const now = Date.now();
    const body = JSON.stringify({
      id: randomUUID(),
      create_time: beijing(now),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary,
      resource,
    });
    const headers = signedHeaders(
      opts.signWith ?? this.signer.key,
      opts.serial ?? this.signer.serial,
      body,
      opts.timestampSeconds ?? Math.floor(now / 1000),
    );
    return {
      headers: { ...headers, 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0' },
      body: opts.afterSigning ? opts.afterSigning(body) : body,
    };
  }

  /** POSTs a callback as WeChat Pay does. */
  async deliver(url: string, n: Notification): Promise<{ status: number; body: string }> {
    const res = await fetch(url, { method: 'POST', headers: n.headers, body: n.body });
    return { status: res.status, body: await res.text() };
  }

  // ── requests ──

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const problem = this.checkAuthorization(method, url, raw, req.headers.authorization);
    if (problem) {
      // WeChat Pay does not sign its answer to a request it could not authenticate.
      this.log.push({ method, url, status: 401, body: raw });
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 'SIGN_ERROR', message: problem }));
      return;
    }
    let body: Record<string, any> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.reply(res, req, 400, { code: 'PARAM_ERROR', message: '请求体不是合法的JSON' }, raw);
      }
    }
    const { pathname, searchParams } = new URL(url, 'http://standin');
    let m: RegExpExecArray | null;
    if (method === 'POST' && (m = /^\/v3\/pay\/transactions\/(native|jsapi)$/.exec(pathname)))
      return this.createOrder(req, res, m[1] === 'native' ? 'NATIVE' : 'JSAPI', body, raw);
    if (method === 'GET' && (m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(pathname))) {
      if (searchParams.get('mchid') !== this.options.mchId)
        return this.reply(res, req, 400, { code: 'PARAM_ERROR', message: 'mchid与请求不符' }, raw);
      const o = this.orders.get(decodeURIComponent(m[1]!));
      if (!o) return this.reply(res, req, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' }, raw);
      return this.reply(res, req, 200, this.transactionResource(o), raw);
    }
    if (method === 'POST' && (m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(pathname))) {
      if (body.mchid !== this.options.mchId) return this.reply(res, req, 400, { code: 'PARAM_ERROR', message: 'mchid与请求不符' }, raw);
      const o = this.orders.get(decodeURIComponent(m[1]!));
      if (!o) return this.reply(res, req, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' }, raw);
      if (o.state === 'SUCCESS' || o.state === 'REFUND')
        return this.reply(res, req, 400, { code: 'ORDERPAID', message: '订单已支付' }, raw);
      o.state = 'CLOSED';
      return this.reply(res, req, 204, null, raw);
    }
    if (method === 'POST' && pathname === '/v3/refund/domestic/refunds') return this.refund(req, res, body, raw);
    if (method === 'GET' && pathname === '/v3/certificates') {
      if (this.options.mode === 'public-key')
        return this.reply(res, req, 404, { code: 'RESOURCE_NOT_EXISTS', message: '无可用的平台证书，请使用微信支付公钥' }, raw);
      const data = this.certificates.map((p) => {
        const c = new X509Certificate(p.certificatePem);
        return {
          serial_no: p.serial,
          effective_time: beijing(Date.parse(c.validFrom)),
          expire_time: beijing(Date.parse(c.validTo)),
          encrypt_certificate: encrypt(this.options.apiV3Key, p.certificatePem, 'certificate'),
        };
      });
      return this.reply(res, req, 200, { data: this.certificateEntries ? this.certificateEntries(data) : data }, raw);
    }
    return this.reply(res, req, 404, { code: 'NOT_FOUND', message: `${method} ${pathname} 不存在` }, raw);
  }

  /** null when the Authorization header is a valid merchant signature over this very request. */
  private checkAuthorization(method: string, url: string, body: string, header: string | undefined): string | null {
    const m = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(header ?? '');
    if (!m) return 'Authorization 缺失或认证类型不是 WECHATPAY2-SHA256-RSA2048';
    const fields = Object.fromEntries([...m[1]!.matchAll(/([a-z_]+)="([^"]*)"/g)].map((f) => [f[1]!, f[2]!]));
    const { mchid, nonce_str: nonce, signature, timestamp, serial_no: serial } = fields;
    if (!mchid || !nonce || !signature || !timestamp || !serial) return 'Authorization 缺少参数';
    if (mchid !== this.options.mchId) return 'mchid 错误';
    if (serial.toUpperCase() !== this.options.merchant.serial.toUpperCase()) return '商户证书序列号有误';
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return '请求时间戳已过期';
    const message = Buffer.from(`${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`, 'utf8');
    if (!verify('sha256', message, this.options.merchant.publicKey, Buffer.from(signature, 'base64'))) return '签名错误';
    return null;
  }

  private reply(res: ServerResponse, req: IncomingMessage, status: number, payload: unknown, raw = ''): void {
    const body = payload === null ? '' : JSON.stringify(payload);
    this.log.push({ method: req.method ?? 'GET', url: req.url ?? '/', status, body: raw });
    const now = Date.now();
    let { key, serial } = this.signer;
    let timestamp = Math.floor(now / 1000);
    let sent = body;
    const isCertificates = (req.url ?? '').startsWith('/v3/certificates');
    const misbehave = this.misbehaveOn === 'all' || (this.misbehaveOn === 'certificates') === isCertificates ? this.misbehave : null;
    switch (misbehave) {
      case 'wrong-key':
        key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
        break;
      case 'stale':
        timestamp -= 600;
        break;
      case 'unknown-serial':
        serial = this.options.mode === 'public-key' ? 'PUB_KEY_ID_0000000000000000000000000000' : serialHex();
        break;
      case 'tampered-body':
        sent = /"(code_url|prepay_id|trade_state)":/.test(body)
          ? body.replace(
              /"(code_url|prepay_id|trade_state)":"[^"]*"/,
              (_m, k: string) => `"${k}":"${k === 'trade_state' ? 'SUCCESS' : 'weixin://evil'}"`,
            )
          : body.replace(/}$/, ' }');
        break;
      default:
    }
    const headers: Record<string, string> = {
      'Request-ID': randomUUID(),
      ...(misbehave === 'unsigned' ? {} : signedHeaders(key, serial, body, timestamp)),
    };
    if (sent.length > 0) headers['Content-Type'] = 'application/json; charset=utf-8';
    res.writeHead(status, headers).end(sent);
  }

  private createOrder(req: IncomingMessage, res: ServerResponse, tradeType: 'NATIVE' | 'JSAPI', b: Record<string, any>, raw: string): void {
    const bad = (message: string) => this.reply(res, req, 400, { code: 'PARAM_ERROR', message }, raw);
    if (b.appid !== this.options.appId) return bad('appid和mch_id不匹配');
    if (b.mchid !== this.options.mchId) return bad('mchid与请求不符');
    if (typeof b.description !== 'string' || b.description.length === 0 || Array.from(b.description).length > 127)
      return bad('description 长度有误');
    if (typeof b.out_trade_no !== 'string' || !/^[0-9A-Za-z_\-|*]{6,32}$/.test(b.out_trade_no)) return bad('out_trade_no 格式有误');
    if (
      b.time_expire !== undefined &&
      (typeof b.time_expire !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/.test(b.time_expire))
    )
      return bad('time_expire 不是 rfc3339 格式');
    if (typeof b.notify_url !== 'string' || !/^https?:\/\/[^?#\s]+$/.test(b.notify_url)) return bad('notify_url 格式有误');
    if (!Number.isInteger(b.amount?.total) || b.amount.total < 1) return bad('amount.total 必须是正整数');
    if (b.amount.currency !== undefined && b.amount.currency !== 'CNY') return bad('amount.currency 只能是 CNY');
    if (tradeType === 'JSAPI' && (typeof b.payer?.openid !== 'string' || b.payer.openid.length === 0)) return bad('payer.openid 必填');
    const existing = this.orders.get(b.out_trade_no);
    if (existing) {
      if (JSON.stringify(existing.body) !== JSON.stringify(b))
        return this.reply(res, req, 400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' }, raw);
      if (existing.state !== 'NOTPAY') return this.reply(res, req, 400, { code: 'ORDERPAID', message: '订单已支付或已关闭' }, raw);
      return this.reply(res, req, 200, tradeType === 'NATIVE' ? { code_url: existing.codeUrl } : { prepay_id: existing.prepayId }, raw);
    }
    const o: StandInOrder = {
      tradeType,
      body: b,
      outTradeNo: b.out_trade_no,
      total: b.amount.total,
      notifyUrl: b.notify_url,
      openid: b.payer?.openid ?? null,
      state: 'NOTPAY',
      transactionId: null,
      successTime: null,
      refunded: 0,
    };
    if (tradeType === 'NATIVE') o.codeUrl = `weixin://wxpay/bizpayurl?pr=${randomBytes(5).toString('hex')}`;
    else o.prepayId = `wx${Date.now()}${randomBytes(8).toString('hex')}`;
    this.orders.set(o.outTradeNo, o);
    return this.reply(res, req, 200, tradeType === 'NATIVE' ? { code_url: o.codeUrl } : { prepay_id: o.prepayId }, raw);
  }

  private refund(req: IncomingMessage, res: ServerResponse, b: Record<string, any>, raw: string): void {
    const bad = (status: number, code: string, message: string) => this.reply(res, req, status, { code, message }, raw);
    if (typeof b.out_refund_no !== 'string' || !/^[0-9A-Za-z_\-|*@]{1,64}$/.test(b.out_refund_no))
      return bad(400, 'PARAM_ERROR', 'out_refund_no 格式有误');
    if (b.reason !== undefined && (typeof b.reason !== 'string' || Array.from(b.reason).length > 80))
      return bad(400, 'PARAM_ERROR', 'reason 过长');
    if (!Number.isInteger(b.amount?.refund) || b.amount.refund < 1 || !Number.isInteger(b.amount?.total))
      return bad(400, 'PARAM_ERROR', 'amount 有误');
    if (b.amount.currency !== 'CNY') return bad(400, 'PARAM_ERROR', 'amount.currency 只能是 CNY');
    const o = this.orders.get(b.out_trade_no);
    if (!o) return bad(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    const existing = this.refunds.get(b.out_refund_no);
    if (existing) return this.reply(res, req, 200, this.refundAnswer(existing), raw);
    if (o.state !== 'SUCCESS' && o.state !== 'REFUND') return bad(400, 'INVALID_REQUEST', '订单未支付，不能退款');
    if (b.amount.total !== o.total) return bad(400, 'PARAM_ERROR', '订单金额与原订单不一致');
    if (o.refunded + b.amount.refund > o.total) return bad(403, 'NOT_ENOUGH', '退款金额超过订单可退金额');
    const status = this.options.refundStatus ?? 'PROCESSING';
    const r: StandInRefund = {
      outRefundNo: b.out_refund_no,
      refundId: `50000${Date.now()}${randomBytes(4).toString('hex')}`.slice(0, 29),
      outTradeNo: o.outTradeNo,
      refund: b.amount.refund,
      total: o.total,
      reason: b.reason,
      notifyUrl: b.notify_url,
      status,
      createTime: beijing(Date.now()),
      successTime: status === 'SUCCESS' ? beijing(Date.now()) : null,
    };
    this.refunds.set(r.outRefundNo, r);
    o.refunded += r.refund;
    o.state = 'REFUND';
    return this.reply(res, req, 200, this.refundAnswer(r), raw);
  }

  private refundAnswer(r: StandInRefund): Record<string, unknown> {
    const o = this.orders.get(r.outTradeNo)!;
    return {
      refund_id: r.refundId,
      out_refund_no: r.outRefundNo,
      transaction_id: o.transactionId,
      out_trade_no: r.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(r.successTime ? { success_time: r.successTime } : {}),
      create_time: r.createTime,
      status: r.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: r.total,
        refund: r.refund,
        payer_total: r.total,
        payer_refund: r.refund,
        settlement_refund: r.refund,
        settlement_total: r.total,
        discount_refund: 0,
        currency: 'CNY',
      },
    };
  }
}

/** A public key PEM for a private key (for public-key mode configuration). */
export function publicPemOf(privateKey: KeyObject | string): string {
  return createPublicKey(typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();
}
