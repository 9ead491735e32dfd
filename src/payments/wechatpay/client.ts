import { createPrivateKey, type KeyObject } from 'node:crypto';
import { authorization, headerOf, readSignedHeaders, SignatureError, type SignatureFailure } from './sign.js';
import type { RawResponse, SignatureVerifier } from './verifier.js';

/** WeChat Pay answered with an error body `{code, message, detail?}`; `verified` says whether that answer carried a valid signature. */
export class WeChatPayApiError extends Error {
  override name = 'WeChatPayApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail: unknown,
    readonly verified: boolean,
  ) {
    super(`WeChat Pay ${status} ${code}: ${message}`);
  }
}

/** An answer that claims to come from WeChat Pay but whose signature does not check out; its content is not used. */
export class ResponseVerificationError extends Error {
  override name = 'ResponseVerificationError';
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(`WeChat Pay response refused (${reason}): ${message}`);
  }
}

export type TransportSettings = Readonly<{ baseUrl: string; mchId: string; certSerial: string; privateKey: string | KeyObject }>;
export type TransportOptions = Readonly<{ fetch?: typeof fetch; timeoutMs?: number; userAgent?: string }>;

/** Sends requests signed with the merchant key; returns what came back, unverified. */
export class WeChatPayTransport {
  private readonly privateKey: KeyObject;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly userAgent: string;

  constructor(
    private readonly settings: TransportSettings,
    options: TransportOptions = {},
  ) {
    this.privateKey = typeof settings.privateKey === 'string' ? createPrivateKey(settings.privateKey) : settings.privateKey;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.userAgent = options.userAgent ?? `ktv-backend wechatpay-apiv3 (Node.js ${process.version})`;
  }

  /** `pathAndQuery` is signed exactly as given, so it must already be encoded. */
  async send(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<RawResponse> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.userAgent,
      Authorization: authorization({
        mchId: this.settings.mchId,
        serial: this.settings.certSerial,
        privateKey: this.privateKey,
        method,
        pathAndQuery,
        body: text,
      }),
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.fetch(`${this.settings.baseUrl}${pathAndQuery}`, {
      method,
      headers,
      ...(body !== undefined ? { body: text } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }
}

export type ApiResponse<T> = Readonly<{ status: number; data: T | null; requestId: string | undefined }>;

/**
 * The API v3 client: every request signed, every answer's signature verified
 * before its body is read. A successful answer without a valid signature is
 * refused (ResponseVerificationError); an error answer becomes a
 * WeChatPayApiError, marked unverified when it carried no signature at all
 * (WeChat Pay does not sign some, e.g. 401 for a bad request signature).
 */
export class WeChatPayClient {
  constructor(
    readonly transport: WeChatPayTransport,
    private readonly verifier: SignatureVerifier,
    private readonly now: () => number = Date.now,
  ) {}

  async call<T>(method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<ApiResponse<T>> {
    const res = await this.transport.send(method, pathAndQuery, body);
    const requestId = headerOf(res.headers, 'Request-ID');
    const ok = res.status >= 200 && res.status < 300;
    const hasSignature = headerOf(res.headers, 'Wechatpay-Signature') !== undefined;
    let verified = false;
    if (ok || hasSignature) {
      try {
        await this.verifier.verify(readSignedHeaders(res.headers, this.now()), res.body);
        verified = true;
      } catch (err) {
        if (err instanceof SignatureError)
          throw new ResponseVerificationError(err.reason, `${method} ${pathAndQuery.split('?')[0]} (${res.status}): ${err.message}`);
        throw err;
      }
    }
    const text = res.body.toString('utf8');
    if (!ok) {
      let code = `HTTP_${res.status}`;
      let message = text.slice(0, 200);
      let detail: unknown = undefined;
      try {
        const e = JSON.parse(text) as { code?: unknown; message?: unknown; detail?: unknown };
        if (typeof e.code === 'string') code = e.code;
        if (typeof e.message === 'string') message = e.message;
        detail = e.detail;
      } catch {
        // Not JSON (a gateway page, say): the status is all there is.
      }
      throw new WeChatPayApiError(res.status, code, message, detail, verified);
    }
    if (text.length === 0) return { status: res.status, data: null, requestId };
    try {
      return { status: res.status, data: JSON.parse(text) as T, requestId };
    } catch {
      throw new WeChatPayApiError(res.status, 'MALFORMED_RESPONSE', 'the answer is not JSON', undefined, verified);
    }
  }
}
