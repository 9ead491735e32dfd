import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { AeadError, decryptResource, type EncryptedResource } from './aead.js';
import { readSignedHeaders, rsaVerify, SignatureError, verificationMessage, type SignedHeaders } from './sign.js';

/** Checks WeChat Pay's signature over a response or callback body, for the serial it names. */
export interface SignatureVerifier {
  /** Resolves when the signature is WeChat Pay's; throws SignatureError (`unknown_serial`, `bad_signature`) otherwise. */
  verify(signed: SignedHeaders, body: string | Buffer): Promise<void>;
}

/**
 * Public-key mode: the WeChat Pay public key and its id (`PUB_KEY_ID_…`) are
 * configured; Wechatpay-Serial must be that id.
 */
export class PublicKeyVerifier implements SignatureVerifier {
  private readonly key: KeyObject;

  constructor(
    publicKeyPem: string,
    readonly publicKeyId: string,
  ) {
    this.key = createPublicKey(publicKeyPem);
  }

  async verify(signed: SignedHeaders, body: string | Buffer): Promise<void> {
    if (signed.serial !== this.publicKeyId)
      throw new SignatureError('unknown_serial', `Wechatpay-Serial ${signed.serial} is not the configured public key id`);
    if (!rsaVerify(this.key, verificationMessage(signed.timestamp, signed.nonce, body), signed.signature))
      throw new SignatureError('bad_signature', 'the WeChat Pay signature does not verify');
  }
}

export type RawResponse = Readonly<{ status: number; headers: Headers; body: Buffer }>;

export type PlatformCertificate = Readonly<{ serial: string; publicKey: KeyObject; notBefore: Date; notAfter: Date; pem: string }>;

/** /v3/certificates could not be downloaded or did not check out. */
export class CertificateDownloadError extends Error {
  override name = 'CertificateDownloadError';
}

/** Serials compared as numbers written in hex: case and leading zeros do not matter. */
export function normalizeSerial(serial: string): string {
  return serial
    .trim()
    .toUpperCase()
    .replace(/^0+(?=.)/, '');
}

type CertificateEntry = { serial_no?: unknown; effective_time?: unknown; expire_time?: unknown; encrypt_certificate?: EncryptedResource };

/**
 * Platform-certificate mode: the certificates come from GET /v3/certificates,
 * each decrypted with the APIv3 key (which only WeChat Pay and the merchant
 * know) and checked to carry the serial it is listed under. That response is
 * itself verified with a certificate already trusted or, the first time, one it
 * delivers. A serial not known yet makes the verifier download again, at most
 * once per `minRefreshIntervalMs`, so a rotation is picked up and forged serials
 * cannot make it hammer the API.
 */
export class PlatformCertificateVerifier implements SignatureVerifier {
  private certificates = new Map<string, PlatformCertificate>();
  private lastRefresh = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly minRefreshIntervalMs: number;

  constructor(
    private readonly download: () => Promise<RawResponse>,
    private readonly apiV3Key: string,
    options: { now?: () => number; minRefreshIntervalMs?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 60_000;
  }

  /** The certificates trusted now. */
  get trusted(): readonly PlatformCertificate[] {
    return [...this.certificates.values()];
  }

  async verify(signed: SignedHeaders, body: string | Buffer): Promise<void> {
    let cert = this.usable(signed.serial);
    if (!cert && this.now() - this.lastRefresh >= this.minRefreshIntervalMs) {
      await this.refresh();
      cert = this.usable(signed.serial);
    }
    if (!cert) throw new SignatureError('unknown_serial', `no valid WeChat Pay platform certificate has serial ${signed.serial}`);
    if (!rsaVerify(cert.publicKey, verificationMessage(signed.timestamp, signed.nonce, body), signed.signature))
      throw new SignatureError('bad_signature', 'the WeChat Pay signature does not verify');
  }

  /** Downloads the certificates again (one download at a time); throws CertificateDownloadError. */
  refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private usable(serial: string): PlatformCertificate | undefined {
    const cert = this.certificates.get(normalizeSerial(serial));
    const now = this.now();
    return cert && cert.notBefore.getTime() <= now && now <= cert.notAfter.getTime() ? cert : undefined;
  }

  private async load(): Promise<void> {
    this.lastRefresh = this.now();
    const res = await this.download();
    if (res.status !== 200)
      throw new CertificateDownloadError(`GET /v3/certificates answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
    let entries: CertificateEntry[];
    try {
      const parsed = JSON.parse(res.body.toString('utf8')) as { data?: unknown };
      if (!Array.isArray(parsed.data)) throw new Error('no data array');
      entries = parsed.data as CertificateEntry[];
    } catch (err) {
      throw new CertificateDownloadError(`the certificate list is not readable: ${(err as Error).message}`);
    }
    const fresh = new Map<string, PlatformCertificate>();
    for (const entry of entries) {
      if (typeof entry.serial_no !== 'string' || !entry.encrypt_certificate)
        throw new CertificateDownloadError('a certificate entry lacks serial_no or encrypt_certificate');
      let pem: string;
      try {
        pem = decryptResource(this.apiV3Key, entry.encrypt_certificate).toString('utf8');
      } catch (err) {
        if (err instanceof AeadError)
          throw new CertificateDownloadError(`certificate ${entry.serial_no} does not decrypt with the APIv3 key: ${err.message}`);
        throw err;
      }
      let x509: X509Certificate;
      try {
        x509 = new X509Certificate(pem);
      } catch (err) {
        throw new CertificateDownloadError(`certificate ${entry.serial_no} is not an X.509 certificate: ${(err as Error).message}`);
      }
      const serial = normalizeSerial(entry.serial_no);
      if (normalizeSerial(x509.serialNumber) !== serial)
        throw new CertificateDownloadError(`certificate listed as ${entry.serial_no} has serial ${x509.serialNumber}`);
      if (x509.publicKey.asymmetricKeyType !== 'rsa')
        throw new CertificateDownloadError(`certificate ${entry.serial_no} does not hold an RSA key`);
      fresh.set(serial, { serial, publicKey: x509.publicKey, notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo), pem });
    }
    // The response must be signed by a certificate we already trust or, failing that, by one of those it delivers.
    // A failure here is the download's, not the callback's that asked for it: CertificateDownloadError, never SignatureError.
    let signed: SignedHeaders;
    try {
      signed = readSignedHeaders(res.headers, this.now());
    } catch (err) {
      throw new CertificateDownloadError(`the certificate list is not properly signed: ${(err as Error).message}`);
    }
    const key = (this.certificates.get(normalizeSerial(signed.serial)) ?? fresh.get(normalizeSerial(signed.serial)))?.publicKey;
    if (!key) throw new CertificateDownloadError(`the certificate list is signed by unknown serial ${signed.serial}`);
    if (!rsaVerify(key, verificationMessage(signed.timestamp, signed.nonce, res.body), signed.signature))
      throw new CertificateDownloadError('the certificate list signature does not verify');
    this.certificates = fresh;
  }
}
