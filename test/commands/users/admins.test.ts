import t from 'tap';
import { adminsDecider } from '../../../commands/users/admins.js';
import { ConflictError } from '../../../src/errors.js';
import type { AdminEvent } from '../../../src/events/users.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** The `admins` stream: who holds the admin role, so the venue always keeps one. */
const spec = DeciderSpecification.for(adminsDecider);

const now = new Date('2026-03-13T09:00:00+08:00');
const at = now.toISOString();
const granted = (userId: string): AdminEvent => ({ type: 'AdminGranted', data: { userId, by: 'system', at } });
const revoked = (userId: string, by = userId): AdminEvent => ({ type: 'AdminRevoked', data: { userId, by, at } });

t.test('grant: recorded once', async (t) => {
  spec(t)
    .given([])
    .when({ type: 'Grant', userId: 'a', by: 'system', now })
    .then([granted('a')]);
  spec(t)
    .given([granted('a')])
    .when({ type: 'Grant', userId: 'a', by: 'system', now })
    .thenNothing('already an admin');
});

t.test('revoke: allowed while another admin remains', async (t) => {
  spec(t)
    .given([granted('a'), granted('b')])
    .when({ type: 'Revoke', userId: 'a', by: 'a', now })
    .then([revoked('a')]);
});

t.test('revoke: the last admin cannot go, 409 last_admin', async (t) => {
  spec(t)
    .given([granted('a')])
    .when({ type: 'Revoke', userId: 'a', by: 'a', now })
    .thenThrows('last_admin', { is: ConflictError, status: 409 });
  spec(t)
    .given([granted('a'), granted('b'), revoked('b')])
    .when({ type: 'Revoke', userId: 'a', by: 'a', now })
    .thenThrows('last_admin', { is: ConflictError, status: 409 }, 'the other one already left');
});

t.test('revoke: an admin the stream does not count (granted before it existed) leaves only when a counted one remains', async (t) => {
  spec(t)
    .given([granted('b')])
    .when({ type: 'Revoke', userId: 'legacy', by: 'b', now })
    .thenNothing();
  spec(t).given([]).when({ type: 'Revoke', userId: 'legacy', by: 'legacy', now }).thenThrows('last_admin', { is: ConflictError });
});

const disabled = (userId: string, by: string): AdminEvent => ({ type: 'AdminDisabled', data: { userId, by, at } });

t.test('disable: an admin may be disabled while another usable admin remains', async (t) => {
  spec(t)
    .given([granted('a'), granted('b')])
    .when({ type: 'Disable', userId: 'b', by: 'a', now })
    .then([disabled('b', 'a')]);
  spec(t)
    .given([granted('a')])
    .when({ type: 'Disable', userId: 'guest', by: 'a', now })
    .thenNothing('not an admin: nothing to count');
});

t.test('disable: a disabled admin does not count as one the venue keeps, 409 last_admin', async (t) => {
  spec(t)
    .given([granted('a'), granted('b'), disabled('b', 'a')])
    .when({ type: 'Disable', userId: 'a', by: 'b', now })
    .thenThrows('last_admin', { is: ConflictError, status: 409 });
  spec(t)
    .given([granted('a'), granted('b'), disabled('b', 'a')])
    .when({ type: 'Revoke', userId: 'a', by: 'a', now })
    .thenThrows('last_admin', { is: ConflictError, status: 409 }, 'nor may the last usable one step down');
});

t.test('enable: a disabled admin counts again', async (t) => {
  spec(t)
    .given([granted('a'), granted('b'), disabled('b', 'a')])
    .when({ type: 'Enable', userId: 'b', by: 'a', now })
    .then([{ type: 'AdminEnabled', data: { userId: 'b', by: 'a', at } }]);
  spec(t)
    .given([granted('a'), granted('b'), disabled('b', 'a'), { type: 'AdminEnabled', data: { userId: 'b', by: 'a', at } }])
    .when({ type: 'Disable', userId: 'a', by: 'b', now })
    .then([disabled('a', 'b')]);
});
