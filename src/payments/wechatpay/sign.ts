import { createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';

/** The Authorization scheme of WeChat Pay API v3 requests. */
export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
/** How far a response's or callback's Wechatpay-Timestamp may be from our clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;
/** Signatures WeChat Pay sends on purpose to probe that merchants really verify. */
const PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';

export type SignatureFailure = 'malformed' | 'stale_timestamp' | 'bad_signature' | 'unknown_serial';

/** A response or callback whose WeChat Pay signature cannot be trusted; `reason` says why. */
export class SignatureError extends Error {
  override name = 'SignatureError';
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
  }
}

/** 32 random upper-case hex characters. */
export function newNonce(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** Whole seconds since the epoch, as WeChat Pay writes timestamps. */
export function unixSeconds(ms: number = Date.now()): string {
  return String(Math.floor(ms / 1000));
}

/** What a request signature covers: `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`, the URL being path and query. */
export function requestMessage(method: string, pathAndQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** What a response or callback signature covers: `TIMESTAMP\nNONCE\nBODY\n`, the body as the exact bytes received. */
export function verificationMessage(timestamp: string, nonce: string, body: string | Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'),
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    Buffer.from('\n'),
  ]);
}

/** SHA256 with RSA (PKCS#1 v1.5), base64. */
export function rsaSign(privateKey: KeyObject | string, message: string | Buffer): string {
  return createSign('RSA-SHA256').update(message).sign(privateKey, 'base64');
}

export function rsaVerify(publicKey: KeyObject, message: string | Buffer, signature: string): boolean {
  if (signature.startsWith(PROBE_PREFIX) || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256').update(message).verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

export type RequestToSign = Readonly<{
  mchId: string;
  serial: string;
  privateKey: KeyObject | string;
  method: string;
  pathAndQuery: string;
  body: string;
  timestamp?: string;
  nonce?: string;
}>;

/** The Authorization header value for one request. */
export function authorization(r: RequestToSign): string {
  const timestamp = r.timestamp ?? unixSeconds();
  const nonce = r.nonce ?? newNonce();
  const signature = rsaSign(r.privateKey, requestMessage(r.method, r.pathAndQuery, timestamp, nonce, r.body));
  return `${AUTH_SCHEME} mchid="${r.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${r.serial}"`;
}

/** Reads `KEY="value"` pairs of an Authorization header of {@link AUTH_SCHEME}; null when it is not one. */
export function parseAuthorization(header: string | undefined): Record<string, string> | null {
  if (!header?.startsWith(`${AUTH_SCHEME} `)) return null;
  const fields: Record<string, string> = {};
  for (const m of header.slice(AUTH_SCHEME.length + 1).matchAll(/\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/g)) fields[m[1]!] = m[2]!;
  return fields;
}

export type SignedHeaders = Readonly<{ timestamp: string; nonce: string; signature: string; serial: string }>;

type HeaderBag = Headers | Readonly<Record<string, string | string[] | undefined>>;

/** One header, case-insensitively, from fetch Headers or Node's incoming headers. */
export function headerOf(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() !== lower) continue;
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/**
 * The four Wechatpay-* headers of a signed response or callback, checked for
 * presence and for a timestamp within {@link MAX_CLOCK_SKEW_SECONDS} of `nowMs`.
 */
export function readSignedHeaders(headers: HeaderBag, nowMs: number = Date.now()): SignedHeaders {
  const timestamp = headerOf(headers, 'Wechatpay-Timestamp')?.trim();
  const nonce = headerOf(headers, 'Wechatpay-Nonce')?.trim();
  const signature = headerOf(headers, 'Wechatpay-Signature')?.trim();
  const serial = headerOf(headers, 'Wechatpay-Serial')?.trim();
  if (!timestamp || !nonce || !signature || !serial)
    throw new SignatureError('malformed', 'Wechatpay-Timestamp, -Nonce, -Signature and -Serial are all required');
  if (!/^[0-9]{1,12}$/.test(timestamp)) throw new SignatureError('malformed', 'Wechatpay-Timestamp is not a number of seconds');
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS)
    throw new SignatureError('stale_timestamp', `Wechatpay-Timestamp is more than ${MAX_CLOCK_SKEW_SECONDS} s from now`);
  return { timestamp, nonce, signature, serial };
}

/**
 * The parameters a WeChat web page hands to `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`
 * (or `wx.requestPayment`): paySign signs `appId\ntimeStamp\nnonceStr\npackage\n` with the merchant key.
 */
export function jsapiPayParams(
  appId: string,
  prepayId: string,
  privateKey: KeyObject | string,
  nowMs: number = Date.now(),
  nonceStr: string = newNonce(),
): Record<string, string> {
  const timeStamp = unixSeconds(nowMs);
  const pkg = `prepay_id=${prepayId}`;
  return {
    appId,
    timeStamp,
    nonceStr,
    package: pkg,
    signType: 'RSA',
    paySign: rsaSign(privateKey, `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`),
  };
}
