import { ConflictError } from '../../src/errors.js';
import { handle, load } from '../../src/eventstore/decide.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import { ADMINS_STREAM, userStream, type AdminEvent } from '../../src/events/users.js';
import { userDecider } from './decider.js';

/** Who holds the admin role, as the `admins` stream records it. */
export type AdminsState = Readonly<{ admins: ReadonlySet<string> }>;

export type AdminsCommand =
  Readonly<{ type: 'Grant'; userId: string; by: string; now: Date }> | Readonly<{ type: 'Revoke'; userId: string; by: string; now: Date }>;

/**
 * The venue always keeps an admin. A user's stream cannot know about other
 * admins, and a read model may lag or race, so the decision is made on one
 * stream appended to with its expected version: two admins revoking themselves
 * at once cannot both pass. Admins granted before this stream existed are not
 * counted, which only ever refuses a revocation that would have been allowed
 * (re-granting admin to such a user enrols them).
 */
export const adminsDecider: Decider<AdminsState, AdminsCommand, AdminEvent> = {
  initialState: () => ({ admins: new Set() }),
  evolve: (state, e) => {
    const admins = new Set(state.admins);
    if (e.type === 'AdminGranted') admins.add(e.data.userId);
    else admins.delete(e.data.userId);
    return { admins };
  },
  decide: (c, state) => {
    const data = { userId: c.userId, by: c.by, at: c.now.toISOString() };
    if (c.type === 'Grant') return state.admins.has(c.userId) ? [] : [{ type: 'AdminGranted', data }];
    const left = [...state.admins].filter((id) => id !== c.userId);
    if (left.length === 0)
      throw new ConflictError('last_admin', 'This would leave the venue without an admin; grant admin to someone else first.');
    return state.admins.has(c.userId) ? [{ type: 'AdminRevoked', data }] : [];
  },
};

/**
 * Changes a user's roles, keeping the admins stream in step. A revocation of
 * admin is decided on the admins stream first (it may be refused), a grant is
 * recorded there after the user's stream: a crash between the two leaves an
 * admin the stream does not count, never one it counts who is not.
 */
export async function changeRoles(
  store: EventStore,
  c: Readonly<{ userId: string; grant: readonly string[]; revoke: readonly string[]; by: string; now: Date }>,
  metadata: EventMetadata,
) {
  const revokesAdmin = c.revoke.includes('admin') && !c.grant.includes('admin');
  if (revokesAdmin) {
    const { state: user } = await load(store, userStream(c.userId), userDecider);
    if (user.status === 'registered' && user.roles.includes('admin'))
      await handle(store, ADMINS_STREAM, adminsDecider, { type: 'Revoke', userId: c.userId, by: c.by, now: c.now }, metadata);
  }
  const { state } = await handle(store, userStream(c.userId), userDecider, { type: 'ChangeRoles', ...c }, metadata);
  if (state.status === 'registered' && state.roles.includes('admin'))
    await handle(store, ADMINS_STREAM, adminsDecider, { type: 'Grant', userId: c.userId, by: c.by, now: c.now }, metadata);
  return state;
}
