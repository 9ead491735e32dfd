import { ConflictError } from '../../src/errors.js';
import { handle, load } from '../../src/eventstore/decide.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import { ADMINS_STREAM, userStream, type AdminEvent } from '../../src/events/users.js';
import { userDecider } from './decider.js';

/** Who holds the admin role, and which of them are disabled, as the `admins` stream records it. */
export type AdminsState = Readonly<{ admins: ReadonlySet<string>; disabled: ReadonlySet<string> }>;

type Change = 'Grant' | 'Revoke' | 'Disable' | 'Enable';
export type AdminsCommand = Readonly<{ type: Change; userId: string; by: string; now: Date }>;

const without = (set: ReadonlySet<string>, id: string) => new Set([...set].filter((x) => x !== id));

/**
 * The venue always keeps an admin who can sign in. A user's stream cannot know
 * about other admins, and a read model may lag or race, so the decision is made
 * on one stream appended to with its expected version: two admins revoking (or
 * disabling) each other at once cannot both pass. Admins granted before this
 * stream existed are not counted, which only ever refuses a change that would
 * have been allowed (re-granting admin to such a user enrols them).
 */
export const adminsDecider: Decider<AdminsState, AdminsCommand, AdminEvent> = {
  initialState: () => ({ admins: new Set(), disabled: new Set() }),
  evolve: (state, e) => {
    const id = e.data.userId;
    switch (e.type) {
      case 'AdminGranted':
        return { ...state, admins: new Set([...state.admins, id]) };
      case 'AdminRevoked':
        return { ...state, admins: without(state.admins, id) };
      case 'AdminDisabled':
        return { ...state, disabled: new Set([...state.disabled, id]) };
      case 'AdminEnabled':
        return { ...state, disabled: without(state.disabled, id) };
      default: {
        const never: never = e;
        throw new Error(`unknown admin event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, state) => {
    const data = { userId: c.userId, by: c.by, at: c.now.toISOString() };
    const isAdmin = state.admins.has(c.userId);
    const isDisabled = state.disabled.has(c.userId);
    const usableWithout = [...state.admins].filter((id) => id !== c.userId && !state.disabled.has(id));
    const keepOne = () => {
      if (usableWithout.length === 0)
        throw new ConflictError('last_admin', 'This would leave the venue without an admin; grant admin to someone else first.');
    };
    switch (c.type) {
      case 'Grant':
        return isAdmin ? [] : [{ type: 'AdminGranted', data }];
      case 'Revoke':
        keepOne();
        return isAdmin ? [{ type: 'AdminRevoked', data }] : [];
      case 'Disable':
        if (!isAdmin || isDisabled) return [];
        keepOne();
        return [{ type: 'AdminDisabled', data }];
      case 'Enable':
        return isDisabled ? [{ type: 'AdminEnabled', data }] : [];
      default: {
        const never: never = c.type;
        throw new Error(`unknown command ${String(never)}`);
      }
    }
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

/**
 * Disables or enables an account, keeping the admins stream in step the same
 * way: disabling an admin is decided there first (`409 last_admin` when no
 * usable admin would be left), enabling one is recorded there after.
 */
export async function changeStanding(
  store: EventStore,
  c: Readonly<{ userId: string; disable: boolean; reason: string; by: string; now: Date }>,
  metadata: EventMetadata,
) {
  const who = { userId: c.userId, by: c.by, now: c.now };
  if (c.disable) {
    const { state: user } = await load(store, userStream(c.userId), userDecider);
    if (user.status === 'registered' && user.roles.includes('admin'))
      await handle(store, ADMINS_STREAM, adminsDecider, { type: 'Disable', ...who }, metadata);
  }
  const command = c.disable ? { type: 'Disable' as const, ...who, reason: c.reason } : { type: 'Enable' as const, ...who };
  const { state } = await handle(store, userStream(c.userId), userDecider, command, metadata);
  if (!c.disable) await handle(store, ADMINS_STREAM, adminsDecider, { type: 'Enable', ...who }, metadata);
  return state;
}
