import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { EventStore } from '../../src/eventstore/port.js';
import type { AccessTokens } from '../../src/auth/tokens.js';
import type { RevocationList } from '../../src/auth/revocation.js';
import type { Config } from '../../src/config.js';
import { handle } from '../../src/eventstore/decide.js';
import type { EventMetadata } from '../../src/eventstore/port.js';
import { sessionsStream, type SessionEvent } from '../../src/events/users.js';
import type { CurrentUserState } from './types.js';
import { newRefreshToken } from './refresh-token.js';
import { sessionsDecider } from './decider.js';
import type { Clock } from '../../src/clock.js';
import { ForbiddenError } from '../../src/errors.js';

export type TokenPair = Readonly<{
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: { id: string; roles: string[] };
}>;

/** The strictest limit among the user's roles. */
function maxSessions(policy: Readonly<Record<string, number>>, roles: readonly string[]): number {
  const limits = roles.map((r) => policy[r]).filter((n): n is number => n !== undefined);
  return limits.length > 0 ? Math.min(...limits) : 1;
}

/** What signing in and out uses of the platform. */
export type SessionContext = Readonly<{
  store: EventStore;
  clock: Clock;
  db: Kysely<PlatformDatabase>;
  tokens: AccessTokens;
  revocation: RevocationList;
  /** Where failed sign-ins are counted when several instances run; null: in this process. */
  redis: Redis | null;
  config: Pick<
    Config,
    | 'sessionPolicy'
    | 'refreshTokenTtlSeconds'
    | 'loginAttemptsPerIpPerMinute'
    | 'refreshesPerIpPerMinute'
    | 'loginFailuresPerAccountAndIp'
    | 'loginFailuresPerAccount'
    | 'loginFailureWindowSeconds'
    | 'loginDelayFirstSeconds'
    | 'loginDelayMaxSeconds'
    | 'loginAccountDelayMaxSeconds'
    | 'oidcProviders'
    | 'passwordResetTtlMinutes'
    | 'wechatLogin'
  >;
}>;

/** Revokes the access tokens of sessions a command just ended, so they stop working before they expire. */
export async function revokeEnded(platform: Pick<SessionContext, 'revocation' | 'tokens'>, events: readonly SessionEvent[]): Promise<void> {
  for (const e of events) {
    if (e.type === 'SessionEnded') {
      const reason = e.data.reason === 'expired' ? 'logout' : e.data.reason;
      await platform.revocation.revoke(e.data.sessionId, reason, platform.tokens.ttlSeconds + 60);
    }
  }
}

/** Starts a session on a device under the role policy (evicting the oldest beyond it) and issues its tokens. */
export async function openSession(
  platform: SessionContext,
  user: CurrentUserState,
  device: { deviceId: string; method: string; ip: string },
  metadata: EventMetadata,
): Promise<TokenPair> {
  // Every way in (password, OpenID, WeChat) comes through here, so none lets a disabled account in.
  if (user.disabled) throw new ForbiddenError('This account has been disabled; ask an admin.', 'account_disabled');
  const sessionId = randomUUID();
  const refresh = newRefreshToken(user.id, sessionId);
  const { events } = await handle(
    platform.store,
    sessionsStream(user.id),
    sessionsDecider,
    {
      type: 'Start',
      userId: user.id,
      sessionId,
      deviceId: device.deviceId,
      method: device.method,
      refreshTokenHash: refresh.hash,
      ip: device.ip,
      maxSessions: maxSessions(platform.config.sessionPolicy, user.roles),
      now: platform.clock(),
    },
    metadata,
  );
  await revokeEnded(platform, events);
  return {
    accessToken: platform.tokens.issue({ userId: user.id, sessionId, roles: user.roles, deviceId: device.deviceId }),
    refreshToken: refresh.token,
    tokenType: 'Bearer',
    expiresIn: platform.tokens.ttlSeconds,
    user: { id: user.id, roles: [...user.roles] },
  };
}
