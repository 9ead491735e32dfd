import t from 'tap';
import { usersProjection, type UsersDatabase } from '../../projections/users.js';
import type { AuthAuditEvent, SessionEvent, UserEvent } from '../../src/events/users.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';

/**
 * Accounts (`rm.users`), device sessions (`rm.sessions`) and the sign-in audit
 * trail (`rm.auth_audit`: one row per RolesChanged, MembershipLevelChanged,
 * ExternalIdentityLinked, SessionStarted, SessionEnded and LoginFailed, keyed
 * by the event's id, with the event's data as `detail`). Times are the events' `at`.
 */
const spec = ProjectionSpecification.for<UsersDatabase>(t, usersProjection);

const alice = 'user-alice';
const t0 = '2026-03-13T11:00:00.000Z';
const t1 = '2026-03-13T11:05:00.000Z';
const t2 = '2026-03-13T12:40:00.000Z';
const t3 = '2026-03-14T01:15:00.000Z';

const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: alice, email: 'alice@example.com', name: 'Alice', phone: '+8613800000001', roles: ['guest'], via: 'password', at: t0 },
};
const aliceRow = {
  id: alice,
  email: 'alice@example.com',
  name: 'Alice',
  phone: '+8613800000001',
  roles: ['guest'],
  membership_level: 'regular',
  disabled_at: null,
  registered_via: 'password',
  registered_at: new Date(t0),
  updated_at: new Date(t0),
};
const profileUpdated: UserEvent = { type: 'ProfileUpdated', data: { userId: alice, name: 'Alice Wang', phone: null, at: t1 } };
const rolesChanged: UserEvent = {
  type: 'RolesChanged',
  data: { userId: alice, roles: ['guest', 'waiter'], granted: ['waiter'], revoked: [], by: 'user-manager', at: t2 },
};
const promoted: UserEvent = {
  type: 'MembershipLevelChanged',
  data: { userId: alice, level: 'gold', previous: 'regular', reason: 'spent 5000 yuan', by: 'user-manager', at: t2 },
};
const linked: UserEvent = {
  type: 'ExternalIdentityLinked',
  data: { userId: alice, provider: 'wechat', subject: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M', at: t1 },
};

const started = (sessionId: string, at: string): SessionEvent => ({
  type: 'SessionStarted',
  data: {
    userId: alice,
    sessionId,
    deviceId: `device-${sessionId}`,
    method: 'password',
    refreshTokenHash: `hash-${sessionId}`,
    ip: '203.0.113.7',
    at,
  },
});
const refreshed = (sessionId: string, at: string): SessionEvent => ({
  type: 'SessionRefreshed',
  data: { userId: alice, sessionId, refreshTokenHash: `hash-${sessionId}-2`, at },
});
const ended = (sessionId: string, reason: 'logout' | 'evicted' | 'refresh_reuse', at: string): SessionEvent => ({
  type: 'SessionEnded',
  data: { userId: alice, sessionId, reason, at },
});
/** What the audit trail shows of a session's start: its data without the refresh token's hash. */
const audited = (e: SessionEvent) => {
  const { refreshTokenHash: _secret, ...shown } = e.data as Record<string, unknown>;
  return shown;
};
const sessionRow = (sessionId: string, at: string) => ({
  session_id: sessionId,
  user_id: alice,
  device_id: `device-${sessionId}`,
  method: 'password',
  ip: '203.0.113.7',
  started_at: new Date(at),
  last_used_at: new Date(at),
  ended_at: null,
  end_reason: null,
});

const loginFailed = (email: string, userId: string | null, reason: 'unknown_email' | 'wrong_password', at: string): AuthAuditEvent => ({
  type: 'LoginFailed',
  data: { email, userId, ip: '198.51.100.23', reason, at },
});

t.test('UserRegistered adds the account as a regular member, registered and updated at the event time', async (t) => {
  const s = spec(t).given([registered]);
  await s.expectRows('users', [aliceRow]);
  await s.expectRows('auth_audit', [], undefined, 'a registration is not audited');
});

t.test('UserRegistered delivered again leaves the one account as registered', async (t) => {
  await spec(t).given([registered]).redelivered().expectRows('users', [aliceRow]);
});

t.test('ProfileUpdated changes the name and phone (here cleared) and the updated time, and is not audited', async (t) => {
  const s = spec(t).given([registered]).when([profileUpdated]);
  await s.expectRows('users', [{ ...aliceRow, name: 'Alice Wang', phone: null, updated_at: new Date(t1) }]);
  await s.expectRows('auth_audit', []);
});

t.test('RolesChanged replaces the roles with the full new set and is audited with its data', async (t) => {
  const s = spec(t).given([registered]).when([rolesChanged]);
  await s.expectRows('users', [{ ...aliceRow, roles: ['guest', 'waiter'], updated_at: new Date(t2) }]);
  await s.expectRows('auth_audit', [
    { event_id: s.idOf(1), user_id: alice, type: 'RolesChanged', detail: rolesChanged.data, at: new Date(t2) },
  ]);
});

t.test('EmailChanged replaces the address and is audited with the one it replaced', async (t) => {
  const changed: UserEvent = {
    type: 'EmailChanged',
    data: { userId: alice, email: 'alice.wang@example.com', previous: aliceRow.email, at: t2 },
  };
  const s = spec(t).given([registered]).when([changed]);
  await s.expectRows('users', [{ ...aliceRow, email: 'alice.wang@example.com', updated_at: new Date(t2) }]);
  await s.expectRows('auth_audit', [{ event_id: s.idOf(1), user_id: alice, type: 'EmailChanged', detail: changed.data, at: new Date(t2) }]);
});

t.test('MembershipLevelChanged sets the new level and is audited with its data', async (t) => {
  const s = spec(t).given([registered]).when([promoted]);
  await s.expectRows('users', [{ ...aliceRow, membership_level: 'gold', updated_at: new Date(t2) }]);
  await s.expectRows('auth_audit', [
    { event_id: s.idOf(1), user_id: alice, type: 'MembershipLevelChanged', detail: promoted.data, at: new Date(t2) },
  ]);
});

t.test('MembershipLevelEarned sets the earned level and is audited with the spend behind it', async (t) => {
  const earned: UserEvent = {
    type: 'MembershipLevelEarned',
    data: { userId: alice, level: 'silver', previous: 'regular', spend: 120_000, periodDays: 365, rulesVersion: 2, at: t2 },
  };
  const s = spec(t).given([registered]).when([earned]);
  await s.expectRows('users', [{ ...aliceRow, membership_level: 'silver', updated_at: new Date(t2) }]);
  await s.expectRows('auth_audit', [{ type: 'MembershipLevelEarned', detail: earned.data }]);
});

t.test('AccountDisabled sets disabled_at, AccountEnabled clears it; both are audited', async (t) => {
  const disabled: UserEvent = { type: 'AccountDisabled', data: { userId: alice, reason: 'left', by: 'user-admin', at: t1 } };
  const enabled: UserEvent = { type: 'AccountEnabled', data: { userId: alice, by: 'user-admin', at: t2 } };
  const off = spec(t).given([registered]).when([disabled]);
  await off.expectRows('users', [{ ...aliceRow, disabled_at: new Date(t1), updated_at: new Date(t1) }]);
  const on = off.when([enabled]);
  await on.expectRows('users', [{ ...aliceRow, disabled_at: null, updated_at: new Date(t2) }]);
  await on.expectRows('auth_audit', [{ type: 'AccountDisabled' }, { type: 'AccountEnabled' }], { orderBy: 'at' });
});

t.test('ExternalIdentityLinked is audited and leaves the account as it was', async (t) => {
  const s = spec(t).given([registered]).when([linked]);
  await s.expectRows('users', [aliceRow]);
  await s.expectRows('auth_audit', [
    { event_id: s.idOf(1), user_id: alice, type: 'ExternalIdentityLinked', detail: linked.data, at: new Date(t1) },
  ]);
});

t.test(
  'SessionStarted opens a session, last used when it started, and is audited with its data but not the refresh token hash',
  async (t) => {
    const s = spec(t)
      .given([registered])
      .when([started('s1', t1)]);
    await s.expectRows('sessions', [sessionRow('s1', t1)]);
    await s.expectRows('auth_audit', [
      { event_id: s.idOf(1), user_id: alice, type: 'SessionStarted', detail: audited(started('s1', t1)), at: new Date(t1) },
    ]);
  },
);

t.test('SessionRefreshed moves only the last-used time, and is not audited', async (t) => {
  const s = spec(t)
    .given([started('s1', t1)])
    .when([refreshed('s1', t2)]);
  await s.expectRows('sessions', [{ ...sessionRow('s1', t1), last_used_at: new Date(t2) }]);
  await s.expectRows('auth_audit', [{ event_id: s.idOf(0), type: 'SessionStarted' }], undefined, 'only the start is audited');
});

t.test('SessionEnded records when and why the session ended, and is audited with its data', async (t) => {
  const s = spec(t)
    .given([started('s1', t1), started('s2', t1)])
    .when([ended('s1', 'logout', t2)]);
  await s.expectRows('sessions', [{ ...sessionRow('s1', t1), ended_at: new Date(t2), end_reason: 'logout' }, sessionRow('s2', t1)], {
    orderBy: 'session_id',
  });
  await s.expectRows(
    'auth_audit',
    [
      { event_id: s.idOf(0), type: 'SessionStarted', detail: audited(started('s1', t1)), at: new Date(t1) },
      { event_id: s.idOf(1), type: 'SessionStarted', detail: audited(started('s2', t1)), at: new Date(t1) },
      { event_id: s.idOf(2), type: 'SessionEnded', detail: ended('s1', 'logout', t2).data, at: new Date(t2) },
    ],
    { orderBy: ['at', 'detail'] },
  );
});

t.test('SessionEnded for a session already ended keeps the first end and its reason; both ends are audited', async (t) => {
  const s = spec(t)
    .given([started('s1', t1), ended('s1', 'evicted', t2)])
    .when([ended('s1', 'refresh_reuse', t3)]);
  await s.expectRows('sessions', [{ ...sessionRow('s1', t1), ended_at: new Date(t2), end_reason: 'evicted' }]);
  await s.expectRows(
    'auth_audit',
    [
      { type: 'SessionStarted', at: new Date(t1) },
      { type: 'SessionEnded', at: new Date(t2) },
      { type: 'SessionEnded', at: new Date(t3) },
    ],
    { orderBy: 'at' },
  );
});

t.test('LoginFailed for an unknown e-mail is audited with no user; for a known one, with the user', async (t) => {
  const unknown = loginFailed('mallory@example.com', null, 'unknown_email', t1);
  const wrong = loginFailed('alice@example.com', alice, 'wrong_password', t2);
  const s = spec(t).given([registered]).when([unknown, wrong]);
  await s.expectRows(
    'auth_audit',
    [
      { event_id: s.idOf(1), user_id: null, type: 'LoginFailed', detail: unknown.data, at: new Date(t1) },
      { event_id: s.idOf(2), user_id: alice, type: 'LoginFailed', detail: wrong.data, at: new Date(t2) },
    ],
    { orderBy: 'at' },
  );
  await s.expectRows('users', [aliceRow], undefined, 'a failed sign-in changes no account');
});

t.test('A redelivered batch adds no second audit row, session or account, and ends nothing twice', async (t) => {
  const s = spec(t)
    .given([registered])
    .when([started('s1', t1), rolesChanged, ended('s1', 'logout', t2), loginFailed('alice@example.com', alice, 'wrong_password', t3)])
    .redelivered();
  await s.expectRows('users', [{ ...aliceRow, roles: ['guest', 'waiter'], updated_at: new Date(t2) }]);
  await s.expectRows('sessions', [{ ...sessionRow('s1', t1), ended_at: new Date(t2), end_reason: 'logout' }]);
  await s.expectRows(
    'auth_audit',
    [
      { event_id: s.idOf(1), type: 'SessionStarted' },
      { event_id: s.idOf(2), type: 'RolesChanged' },
      { event_id: s.idOf(3), type: 'SessionEnded' },
      { event_id: s.idOf(4), type: 'LoginFailed' },
    ],
    { orderBy: ['at', 'type'] },
  );
});
