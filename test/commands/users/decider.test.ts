import t from 'tap';
import { userDecider, type UserCommand } from '../../../commands/users/decider.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../../src/errors.js';
import type { UserEvent } from '../../../src/events/users.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** A user account: registration, profile, roles, membership level and linked sign-in providers. */
const spec = DeciderSpecification.for(userDecider);

const now = new Date('2026-03-13T09:00:00+08:00');
const at = now.toISOString();
const USER = 'user-1';
const ADMIN = 'user-admin';
const notFound = { is: NotFoundError, status: 404, detail: { resource: 'user', id: USER } } as const;

const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: USER, email: 'mei@example.com', name: 'Han Mei', phone: '13800000000', roles: ['guest'], via: 'password', at },
};
const rolesChanged = (roles: string[], granted: string[], revoked: string[]): UserEvent => ({
  type: 'RolesChanged',
  data: { userId: USER, roles, granted, revoked, by: ADMIN, at },
});

const register: UserCommand = {
  type: 'Register',
  userId: USER,
  email: 'mei@example.com',
  name: 'Han Mei',
  phone: '13800000000',
  via: 'password',
  now,
};
const updateProfile = (name: string | undefined, phone: string | null | undefined): UserCommand => ({
  type: 'UpdateProfile',
  userId: USER,
  name,
  phone,
  now,
});
const changeRoles = (grant: string[], revoke: string[]): UserCommand => ({
  type: 'ChangeRoles',
  userId: USER,
  grant,
  revoke,
  by: ADMIN,
  now,
});
const changeMembership = (level: 'regular' | 'silver' | 'gold' | 'black'): UserCommand => ({
  type: 'ChangeMembership',
  userId: USER,
  level,
  reason: 'spent 5000 元',
  by: ADMIN,
  now,
});
const link = (provider: string, subject: string): UserCommand => ({ type: 'LinkExternalIdentity', userId: USER, provider, subject, now });

t.test('register: a new user is registered as a guest', async (t) => {
  spec(t).given([]).when(register).then([registered]);
});

t.test('register: registering an existing user again is refused with user_exists', async (t) => {
  spec(t).given([registered]).when(register).thenThrows('user_exists', { is: ConflictError, status: 409 });
});

t.test('profile: a new name is recorded, keeping the phone', async (t) => {
  spec(t)
    .given([registered])
    .when(updateProfile('Han Meimei', undefined))
    .then([{ type: 'ProfileUpdated', data: { userId: USER, name: 'Han Meimei', phone: '13800000000', at } }]);
});

t.test('profile: the phone can be removed (null), keeping the name', async (t) => {
  spec(t)
    .given([registered])
    .when(updateProfile(undefined, null))
    .then([{ type: 'ProfileUpdated', data: { userId: USER, name: 'Han Mei', phone: null, at } }]);
});

t.test('profile: an update that changes nothing records nothing', async (t) => {
  spec(t).given([registered]).when(updateProfile('Han Mei', '13800000000')).thenNothing('the same values');
  spec(t).given([registered]).when(updateProfile(undefined, undefined)).thenNothing('no values');
});

t.test('roles: granting a role records the new sorted roles and what was granted', async (t) => {
  spec(t)
    .given([registered])
    .when(changeRoles(['waiter'], []))
    .then([rolesChanged(['guest', 'waiter'], ['waiter'], [])]);
});

t.test('roles: granting and revoking at once records both', async (t) => {
  spec(t)
    .given([registered])
    .when(changeRoles(['manager', 'accountant'], ['guest']))
    .then([rolesChanged(['accountant', 'manager'], ['manager', 'accountant'], ['guest'])]);
});

t.test('roles: granting roles held and revoking roles not held records nothing', async (t) => {
  spec(t)
    .given([registered])
    .when(changeRoles(['guest'], ['admin']))
    .thenNothing();
  spec(t)
    .given([registered, rolesChanged(['guest', 'waiter'], ['waiter'], [])])
    .when(changeRoles(['waiter'], []))
    .thenNothing('the same grant retried');
});

t.test('roles: an unknown role is refused with unknown_role, naming it', async (t) => {
  spec(t)
    .given([registered])
    .when(changeRoles(['superuser'], ['root']))
    .thenThrows('unknown_role', { is: UnprocessableError, status: 422, detail: { roles: ['superuser', 'root'] } });
});

t.test('membership: a new level is recorded with the previous one', async (t) => {
  spec(t)
    .given([registered])
    .when(changeMembership('gold'))
    .then([
      {
        type: 'MembershipLevelChanged',
        data: { userId: USER, level: 'gold', previous: 'regular', reason: 'spent 5000 元', by: ADMIN, at },
      },
    ]);
});

t.test('membership: the level the user has already records nothing', async (t) => {
  spec(t).given([registered]).when(changeMembership('regular')).thenNothing('regular from registration');
  spec(t)
    .given([
      registered,
      { type: 'MembershipLevelChanged', data: { userId: USER, level: 'gold', previous: 'regular', reason: 'x', by: ADMIN, at } },
    ])
    .when(changeMembership('gold'))
    .thenNothing('gold already');
});

t.test('external identity: a provider’s subject is linked to the user', async (t) => {
  spec(t)
    .given([registered])
    .when(link('github', '4242'))
    .then([{ type: 'ExternalIdentityLinked', data: { userId: USER, provider: 'github', subject: '4242', at } }]);
});

t.test('external identity: linking the same provider and subject again records nothing; another subject is linked', async (t) => {
  const linked: UserEvent = { type: 'ExternalIdentityLinked', data: { userId: USER, provider: 'github', subject: '4242', at } };
  spec(t).given([registered, linked]).when(link('github', '4242')).thenNothing();
  spec(t)
    .given([registered, linked])
    .when(link('github', '4343'))
    .then([{ type: 'ExternalIdentityLinked', data: { userId: USER, provider: 'github', subject: '4343', at } }]);
});

t.test('profile, roles, membership and identities of an unregistered user are refused with not_found', async (t) => {
  for (const command of [updateProfile('X', null), changeRoles(['waiter'], []), changeMembership('gold'), link('github', '4242')]) {
    spec(t).given([]).when(command).thenThrows('not_found', notFound, command.type);
  }
});

t.test('disable: an account is disabled with who and why, once', async (t) => {
  const disable: UserCommand = { type: 'Disable', userId: USER, reason: 'left the venue', by: ADMIN, now };
  const event: UserEvent = { type: 'AccountDisabled', data: { userId: USER, reason: 'left the venue', by: ADMIN, at } };
  spec(t).given([registered]).when(disable).then([event]);
  spec(t).given([registered, event]).when(disable).thenNothing('already disabled');
  spec(t).given([]).when(disable).thenThrows('not_found', notFound);
});

t.test('disable: nobody disables their own account, 409 cannot_disable_self', async (t) => {
  spec(t)
    .given([registered])
    .when({ type: 'Disable', userId: USER, reason: 'oops', by: USER, now })
    .thenThrows('cannot_disable_self', { is: ConflictError, status: 409 });
});

t.test('enable: only a disabled account is enabled', async (t) => {
  const enable: UserCommand = { type: 'Enable', userId: USER, by: ADMIN, now };
  spec(t)
    .given([registered, { type: 'AccountDisabled', data: { userId: USER, reason: 'left', by: ADMIN, at } }])
    .when(enable)
    .then([{ type: 'AccountEnabled', data: { userId: USER, by: ADMIN, at } }]);
  spec(t).given([registered]).when(enable).thenNothing('never disabled');
});

t.test('password reset: issuing and using a token are recorded, never the token', async (t) => {
  const expiresAt = new Date(now.getTime() + 3600_000);
  spec(t)
    .given([registered])
    .when({ type: 'IssuePasswordReset', userId: USER, by: ADMIN, expiresAt, now })
    .then([{ type: 'PasswordResetIssued', data: { userId: USER, by: ADMIN, expiresAt: expiresAt.toISOString(), at } }]);
  spec(t)
    .given([registered])
    .when({ type: 'RecordPasswordChange', userId: USER, via: 'reset_token', now })
    .then([{ type: 'PasswordChanged', data: { userId: USER, via: 'reset_token', at } }]);
});

t.test('changing the e-mail address: recorded with the one it replaces; the same address again changes nothing', async (t) => {
  spec(t)
    .given([registered])
    .when({ type: 'ChangeEmail', userId: USER, email: 'new@example.com', now })
    .then([{ type: 'EmailChanged', data: { userId: USER, email: 'new@example.com', previous: 'mei@example.com', at } }]);
  spec(t).given([registered]).when({ type: 'ChangeEmail', userId: USER, email: 'mei@example.com', now }).then([]);
  spec(t).given([]).when({ type: 'ChangeEmail', userId: USER, email: 'new@example.com', now }).thenThrows('not_found', notFound);
});
