import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { UnauthorizedError } from '../errors.js';
import type { SigningKey } from './keys.js';

export type AccessClaims = Readonly<{
  sub: string;
  sid: string;
  jti: string;
  roles: readonly string[];
  device_id: string;
  iat: number;
  exp: number;
}>;

export type TokenSettings = Readonly<{ issuer: string; audience: string; accessTtlSeconds: number }>;

/**
 * Short-lived EdDSA access tokens. The verifier pins the algorithm list, issuer
 * and audience, so `alg: none`, HS/RS confusion, foreign keys, wrong audiences
 * and expired or not-yet-valid tokens all fail.
 */
export class AccessTokens {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verify: (token: string) => AccessClaims;

  constructor(
    private readonly key: SigningKey,
    private readonly settings: TokenSettings,
  ) {
    this.sign = createSigner({
      key: key.privatePem,
      algorithm: 'EdDSA',
      kid: key.kid,
      iss: settings.issuer,
      aud: settings.audience,
      expiresIn: settings.accessTtlSeconds * 1000,
    });
    this.verify = createVerifier({
      key: key.publicPem,
      algorithms: ['EdDSA'],
      allowedIss: settings.issuer,
      allowedAud: settings.audience,
      requiredClaims: ['sub', 'sid', 'jti', 'exp', 'iat'],
      clockTolerance: 5_000,
      // A client sends one token many times: its signature is checked once (the cache still checks
      // expiry on every use). Revocation is looked up on every request regardless.
      cache: 10_000,
    }) as (token: string) => AccessClaims;
  }

  get ttlSeconds(): number {
    return this.settings.accessTtlSeconds;
  }

  issue(claims: { userId: string; sessionId: string; roles: readonly string[]; deviceId: string }): string {
    return this.sign({ sub: claims.userId, sid: claims.sessionId, jti: randomUUID(), roles: claims.roles, device_id: claims.deviceId });
  }

  /** The claims of a valid token, or 401 `invalid_token` (`token_expired` when only the time is wrong). */
  check(token: string): AccessClaims {
    try {
      const claims = this.verify(token);
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || !Array.isArray(claims.roles)) {
        throw new UnauthorizedError('invalid_token', 'The access token is not valid.');
      }
      return claims;
    } catch (err) {
      if (err instanceof UnauthorizedError) throw err;
      if (err instanceof TokenError && err.code === TokenError.codes.expired) {
        throw new UnauthorizedError('token_expired', 'The access token has expired; refresh it.');
      }
      throw new UnauthorizedError('invalid_token', 'The access token is not valid.');
    }
  }

  jwks(): { keys: Record<string, string>[] } {
    return { keys: [this.key.publicJwk] };
  }
}
