import { handle } from '../../src/eventstore/decide.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { userStream } from '../../src/events/users.js';
import type { Role } from '../../src/auth/permissions.js';
import { userDecider } from './decider.js';

/**
 * Grants roles with no signed-in admin behind it: how the first admin of a new
 * venue comes to be (the demo seed uses it). Everything after goes through
 * `POST /users/:id/roles`.
 */
export async function grantRolesAsSystem(
  store: EventStore,
  userId: string,
  roles: readonly Role[],
  revoke: readonly Role[] = [],
): Promise<void> {
  await handle(
    store,
    userStream(userId),
    userDecider,
    { type: 'ChangeRoles', userId, grant: roles, revoke, by: 'system', now: new Date() },
    { actor: 'system' },
  );
}
