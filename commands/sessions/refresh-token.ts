import { createHash, randomBytes } from 'node:crypto';
import { isUuid } from '../../src/ids.js';

/**
 * Refresh tokens are opaque to clients: `<userId>.<sessionId>.<secret>`. The ids
 * say which stream decides; only the SHA-256 of the whole token is stored.
 */
export function newRefreshToken(userId: string, sessionId: string): { token: string; hash: string } {
  const token = `${userId}.${sessionId}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function parseRefreshToken(token: string): { userId: string; sessionId: string } | null {
  const [userId, sessionId, secret, ...rest] = token.split('.');
  if (!userId || !sessionId || !secret || rest.length > 0 || !isUuid(userId) || !isUuid(sessionId)) return null;
  return { userId, sessionId };
}
