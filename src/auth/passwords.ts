import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt (memory-hard, in Node's crypto) with N=2^15, r=8, p=1: 32 MiB and tens
 * of milliseconds per hash, run on libuv's pool so the event loop stays free.
 * The parameters are stored with each hash so they can be raised later.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
const MAXMEM = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, o: { N: number; r: number; p: number; keylen: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: MAXMEM };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, o.keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p), keylen: expected.length });
  return timingSafeEqual(key, expected);
}

/** A hash of nothing in particular: unknown e-mails are checked against it so they take as long as wrong passwords. */
export const DUMMY_HASH = await hashPassword(randomBytes(16).toString('hex'));

export type PasswordProblem = 'too_short' | 'too_long' | 'same_as_email';

/** What a refused password is told, per problem (registration and password reset). */
export const PASSWORD_PROBLEM_MESSAGES: Readonly<Record<PasswordProblem, string>> = {
  too_short: 'must be at least 10 characters',
  too_long: 'must be at most 256 characters',
  same_as_email: 'must not be the e-mail address',
};

/** In characters (code points), as JSON Schema's `maxLength` counts them, so the documented limit is the enforced one. */
export const PASSWORD_MAX_LENGTH = 256;

export function passwordProblem(password: string, email: string): PasswordProblem | null {
  const length = [...password].length;
  if (length < 10) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'same_as_email';
  return null;
}
