import t from 'tap';
import { activeSessions, sessionsDecider, type SessionCommand } from '../../../commands/sessions/decider.js';
import { UnauthorizedError } from '../../../src/errors.js';
import type { SessionEndReason, SessionEvent } from '../../../src/events/users.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/**
 * Every device session of one user, on one stream: sign-ins (evicting the
 * oldest beyond the limit), refresh-token rotation with reuse detection, and
 * sign-outs. Token hashes are stand-ins; times are UTC+8 on 2026-03-13.
 */
const spec = DeciderSpecification.for(sessionsDecider);

const local = (time: string) => new Date(`2026-03-13T${time}:00+08:00`);
const iso = (time: string) => local(time).toISOString();
const USER = 'user-1';
const TTL = 3600;
const unauthorized = { is: UnauthorizedError, status: 401 } as const;

const started = (sessionId: string, time: string, hash = `${sessionId}-h1`): SessionEvent => ({
  type: 'SessionStarted',
  data: {
    userId: USER,
    sessionId,
    deviceId: `device-${sessionId}`,
    method: 'password',
    refreshTokenHash: hash,
    ip: '203.0.113.7',
    at: iso(time),
  },
});
const refreshed = (sessionId: string, hash: string, time: string): SessionEvent => ({
  type: 'SessionRefreshed',
  data: { userId: USER, sessionId, refreshTokenHash: hash, at: iso(time) },
});
const ended = (sessionId: string, reason: SessionEndReason, time: string): SessionEvent => ({
  type: 'SessionEnded',
  data: { userId: USER, sessionId, reason, at: iso(time) },
});

const start = (sessionId: string, time: string, maxSessions = 3): SessionCommand => ({
  type: 'Start',
  userId: USER,
  sessionId,
  deviceId: `device-${sessionId}`,
  method: 'password',
  refreshTokenHash: `${sessionId}-h1`,
  ip: '203.0.113.7',
  maxSessions,
  now: local(time),
});
const refresh = (sessionId: string, presentedHash: string, newHash: string, time: string): SessionCommand => ({
  type: 'Refresh',
  userId: USER,
  sessionId,
  presentedHash,
  newHash,
  ttlSeconds: TTL,
  now: local(time),
});
const end = (sessionId: string, time: string, reason: SessionEndReason = 'logout'): SessionCommand => ({
  type: 'End',
  userId: USER,
  sessionId,
  reason,
  now: local(time),
});
const endAll = (time: string): SessionCommand => ({ type: 'EndAll', userId: USER, reason: 'logout_all', now: local(time) });

t.test('start: a first sign-in starts a session', async (t) => {
  spec(t)
    .given([])
    .when(start('s1', '09:00'))
    .then([started('s1', '09:00')]);
});

t.test('start: below the session limit no other session is ended', async (t) => {
  spec(t)
    .given([started('s1', '09:00')])
    .when(start('s2', '10:00'))
    .then([started('s2', '10:00')]);
});

t.test('start: at the session limit the oldest session is evicted by the new sign-in', async (t) => {
  spec(t)
    .given([started('s2', '10:00'), started('s1', '09:00'), started('s3', '11:00')])
    .when(start('s4', '12:00'))
    .then([ended('s1', 'evicted', '12:00'), started('s4', '12:00')], 'the oldest by start time, whatever the order recorded');
});

t.test('start: with a lower limit, every session beyond it is evicted, oldest first', async (t) => {
  spec(t)
    .given([started('s1', '09:00'), started('s2', '10:00'), started('s3', '11:00')])
    .when(start('s4', '12:00', 1))
    .then([ended('s1', 'evicted', '12:00'), ended('s2', 'evicted', '12:00'), ended('s3', 'evicted', '12:00'), started('s4', '12:00')]);
});

t.test('start: ended sessions do not count against the limit', async (t) => {
  spec(t)
    .given([started('s1', '09:00'), started('s2', '10:00'), started('s3', '11:00'), ended('s1', 'logout', '11:30')])
    .when(start('s4', '12:00'))
    .then([started('s4', '12:00')]);
});

t.test('refresh: the current token within its lifetime is rotated to the new one', async (t) => {
  spec(t)
    .given([started('s1', '09:00')])
    .when(refresh('s1', 's1-h1', 's1-h2', '09:30'))
    .then([refreshed('s1', 's1-h2', '09:30')]);
});

t.test('refresh: the lifetime counts from the last rotation, and its last second still works', async (t) => {
  const rotated = [started('s1', '09:00'), refreshed('s1', 's1-h2', '09:30')];
  spec(t)
    .given(rotated)
    .when(refresh('s1', 's1-h2', 's1-h3', '10:30'))
    .then([refreshed('s1', 's1-h3', '10:30')], 'exactly one hour after 09:30');
});

t.test('refresh: a token older than its lifetime is refused with refresh_token_expired', async (t) => {
  spec(t)
    .given([started('s1', '09:00')])
    .when({ ...refresh('s1', 's1-h1', 's1-h2', '10:00'), now: new Date(local('10:00').getTime() + 1000) })
    .thenThrows('refresh_token_expired', unauthorized);
});

t.test('refresh: a rotated token presented again ends the whole session (reuse means it leaked)', async (t) => {
  spec(t)
    .given([started('s1', '09:00'), refreshed('s1', 's1-h2', '09:30')])
    .when(refresh('s1', 's1-h1', 's1-h3', '09:40'))
    .then([ended('s1', 'refresh_reuse', '09:40')]);
});

t.test('refresh: an unknown token for a live session is refused with invalid_refresh_token', async (t) => {
  spec(t)
    .given([started('s1', '09:00')])
    .when(refresh('s1', 'forged', 's1-h2', '09:30'))
    .thenThrows('invalid_refresh_token', unauthorized);
});

t.test('refresh: an unknown session is refused with invalid_refresh_token', async (t) => {
  spec(t)
    .given([started('s1', '09:00')])
    .when(refresh('s9', 's1-h1', 's9-h2', '09:30'))
    .thenThrows('invalid_refresh_token', unauthorized);
});

t.test('refresh: a session evicted by another sign-in is refused with session_evicted', async (t) => {
  spec(t)
    .given([started('s1', '09:00'), ended('s1', 'evicted', '10:00')])
    .when(refresh('s1', 's1-h1', 's1-h2', '10:05'))
    .thenThrows('session_evicted', unauthorized);
});

t.test('refresh: a session ended because its account was disabled is refused with account_disabled', async (t) => {
  spec(t)
    .given([started('s1', '09:00'), ended('s1', 'account_disabled', '10:00')])
    .when(refresh('s1', 's1-h1', 's1-h2', '10:05'))
    .thenThrows('account_disabled', unauthorized);
});

t.test('refresh: a session otherwise ended is refused with session_revoked', async (t) => {
  for (const reason of ['logout', 'logout_all', 'refresh_reuse', 'ended_by_user', 'expired', 'password_reset'] as const) {
    spec(t)
      .given([started('s1', '09:00'), ended('s1', reason, '10:00')])
      .when(refresh('s1', 's1-h1', 's1-h2', '10:05'))
      .thenThrows('session_revoked', unauthorized, reason);
  }
});

t.test('end: an active session is ended with the reason', async (t) => {
  spec(t)
    .given([started('s1', '09:00'), started('s2', '10:00')])
    .when(end('s1', '11:00'))
    .then([ended('s1', 'logout', '11:00')]);
});

t.test('end: ending an ended or unknown session records nothing', async (t) => {
  spec(t)
    .given([started('s1', '09:00'), ended('s1', 'logout', '11:00')])
    .when(end('s1', '11:01'))
    .thenNothing('ended already');
  spec(t)
    .given([started('s1', '09:00')])
    .when(end('s9', '11:00'))
    .thenNothing('unknown');
});

t.test('end all: every active session is ended, those already ended are left alone', async (t) => {
  spec(t)
    .given([started('s1', '09:00'), started('s2', '10:00'), started('s3', '10:30'), ended('s2', 'logout', '10:45')])
    .when(endAll('11:00'))
    .then([ended('s1', 'logout_all', '11:00'), ended('s3', 'logout_all', '11:00')]);
});

t.test('end all: with no active session it records nothing', async (t) => {
  spec(t).given([]).when(endAll('11:00')).thenNothing('none ever');
  spec(t)
    .given([started('s1', '09:00'), ended('s1', 'logout', '10:00')])
    .when(endAll('11:00'))
    .thenNothing('all ended');
});

t.test('state: active sessions are those not ended', async (t) => {
  const state = [started('s1', '09:00'), started('s2', '10:00'), ended('s1', 'logout', '10:30')].reduce(
    sessionsDecider.evolve,
    sessionsDecider.initialState(),
  );
  t.strictSame(
    activeSessions(state).map((s) => s.sessionId),
    ['s2'],
  );
});
