import type { EventStore } from '../../src/eventstore/port.js';
import type { Role } from '../../src/auth/permissions.js';
import { changeRoles } from './admins.js';

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
  await changeRoles(store, { userId, grant: roles, revoke, by: 'system', now: new Date() }, { actor: 'system' });
}
