import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How every webhook request is signed, for receivers to check:
 *
 *   KTV-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * A receiver recomputes the HMAC over the timestamp, a dot and the body exactly as received,
 * compares in constant time, and refuses a timestamp more than five minutes from its clock (a
 * replayed request). The secret is the subscription's, shown once when it is created.
 */
export const SIGNATURE_HEADER = 'ktv-signature';
export const TOLERANCE_SECONDS = 300;

export const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

const hmac = (secret: string, timestamp: number, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/** The receiver's check: true if `header` signs `body` with `secret` within the tolerance of `now`. */
export function verifySignature(secret: string, header: string, body: string, now: Date): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  if (!Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
