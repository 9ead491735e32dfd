import { UnauthorizedError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { SessionEndReason, SessionEvent } from '../../src/events/users.js';

type Session = Readonly<{
  sessionId: string;
  deviceId: string;
  startedAt: Date;
  refreshedAt: Date;
  currentHash: string;
  previousHashes: ReadonlySet<string>;
  status: 'active' | 'ended';
  endReason: SessionEndReason | null;
}>;

/** Every device session of one user; refresh tokens are decided here, on one stream. */
export type SessionsState = Readonly<{ sessions: ReadonlyMap<string, Session> }>;

export type SessionCommand =
  | Readonly<{
      type: 'Start';
      userId: string;
      sessionId: string;
      deviceId: string;
      method: string;
      refreshTokenHash: string;
      ip: string;
      maxSessions: number;
      now: Date;
    }>
  | Readonly<{ type: 'Refresh'; userId: string; sessionId: string; presentedHash: string; newHash: string; ttlSeconds: number; now: Date }>
  | Readonly<{ type: 'End'; userId: string; sessionId: string; reason: SessionEndReason; now: Date }>
  | Readonly<{ type: 'EndAll'; userId: string; reason: SessionEndReason; now: Date }>;

const ended = (userId: string, sessionId: string, reason: SessionEndReason, now: Date): SessionEvent => ({
  type: 'SessionEnded',
  data: { userId, sessionId, reason, at: now.toISOString() },
});

export const activeSessions = (state: SessionsState) => [...state.sessions.values()].filter((s) => s.status === 'active');

export const sessionsDecider: Decider<SessionsState, SessionCommand, SessionEvent> = {
  initialState: () => ({ sessions: new Map() }),
  evolve: (state, e) => {
    const sessions = new Map(state.sessions);
    const at = new Date(e.data.at);
    switch (e.type) {
      case 'SessionStarted':
        sessions.set(e.data.sessionId, {
          sessionId: e.data.sessionId,
          deviceId: e.data.deviceId,
          startedAt: at,
          refreshedAt: at,
          currentHash: e.data.refreshTokenHash,
          previousHashes: new Set(),
          status: 'active',
          endReason: null,
        });
        break;
      case 'SessionRefreshed': {
        const s = sessions.get(e.data.sessionId);
        if (s)
          sessions.set(s.sessionId, {
            ...s,
            refreshedAt: at,
            currentHash: e.data.refreshTokenHash,
            previousHashes: new Set([...s.previousHashes, s.currentHash]),
          });
        break;
      }
      case 'SessionEnded': {
        const s = sessions.get(e.data.sessionId);
        if (s) sessions.set(s.sessionId, { ...s, status: 'ended', endReason: e.data.reason });
        break;
      }
      default: {
        const never: never = e;
        throw new Error(`unknown session event ${JSON.stringify(never)}`);
      }
    }
    return { sessions };
  },
  decide: (c, state) => {
    switch (c.type) {
      case 'Start': {
        // The policy allows `maxSessions`; the oldest beyond it are ended (evicted) by this sign-in.
        const active = activeSessions(state).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
        const evict = active.slice(0, Math.max(0, active.length - (c.maxSessions - 1)));
        return [
          ...evict.map((s) => ended(c.userId, s.sessionId, 'evicted', c.now)),
          {
            type: 'SessionStarted',
            data: {
              userId: c.userId,
              sessionId: c.sessionId,
              deviceId: c.deviceId,
              method: c.method,
              refreshTokenHash: c.refreshTokenHash,
              ip: c.ip,
              at: c.now.toISOString(),
            },
          },
        ];
      }
      case 'Refresh': {
        const s = state.sessions.get(c.sessionId);
        if (!s) throw new UnauthorizedError('invalid_refresh_token', 'The refresh token is not valid.');
        if (s.status === 'ended') {
          if (s.endReason === 'account_disabled')
            throw new UnauthorizedError('account_disabled', 'This account has been disabled; ask an admin.');
          if (s.endReason === 'evicted')
            throw new UnauthorizedError('session_evicted', 'This session was ended by a sign-in on another device.');
          throw new UnauthorizedError('session_revoked', 'This session has ended; sign in again.');
        }
        // A rotated token coming back means it leaked: end the whole session (RFC 9700 §4.14).
        if (s.previousHashes.has(c.presentedHash)) return [ended(c.userId, s.sessionId, 'refresh_reuse', c.now)];
        if (s.currentHash !== c.presentedHash) throw new UnauthorizedError('invalid_refresh_token', 'The refresh token is not valid.');
        if (c.now.getTime() - s.refreshedAt.getTime() > c.ttlSeconds * 1000) {
          throw new UnauthorizedError('refresh_token_expired', 'The refresh token has expired; sign in again.');
        }
        return [
          {
            type: 'SessionRefreshed',
            data: { userId: c.userId, sessionId: s.sessionId, refreshTokenHash: c.newHash, at: c.now.toISOString() },
          },
        ];
      }
      case 'End': {
        const s = state.sessions.get(c.sessionId);
        return s?.status === 'active' ? [ended(c.userId, s.sessionId, c.reason, c.now)] : [];
      }
      case 'EndAll':
        return activeSessions(state).map((s) => ended(c.userId, s.sessionId, c.reason, c.now));
      default: {
        const never: never = c;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};
