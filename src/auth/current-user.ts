import type { EventStore } from '../eventstore/port.js';
import { userStream, type MembershipLevel, type UserEvent } from '../events/users.js';

export type UserState =
  | { status: 'none' }
  | {
      status: 'registered';
      id: string;
      email: string;
      name: string;
      phone: string | null;
      roles: readonly string[];
      membershipLevel: MembershipLevel;
      externalIdentities: readonly string[];
    };

/** The one fold of a `user-<id>` stream; the user commands decide on it too. */
export function evolveUser(state: UserState, e: UserEvent): UserState {
  switch (e.type) {
    case 'UserRegistered':
      return {
        status: 'registered',
        id: e.data.userId,
        email: e.data.email,
        name: e.data.name,
        phone: e.data.phone,
        roles: e.data.roles,
        membershipLevel: 'regular',
        externalIdentities: [],
      };
    case 'ProfileUpdated':
      return state.status === 'registered' ? { ...state, name: e.data.name, phone: e.data.phone } : state;
    case 'RolesChanged':
      return state.status === 'registered' ? { ...state, roles: e.data.roles } : state;
    case 'MembershipLevelChanged':
      return state.status === 'registered' ? { ...state, membershipLevel: e.data.level } : state;
    case 'ExternalIdentityLinked':
      return state.status === 'registered'
        ? { ...state, externalIdentities: [...state.externalIdentities, `${e.data.provider}:${e.data.subject}`] }
        : state;
    default: {
      const never: never = e;
      throw new Error(`unknown user event ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A user's present roles and level, read from their stream on the write side,
 * so a role change applies to the very next request without waiting for a
 * projection. The stream holds only registration, profile, role and level
 * events (sessions have streams of their own), so it stays short.
 */
export async function currentUser(store: EventStore, userId: string): Promise<Extract<UserState, { status: 'registered' }> | null> {
  const { events } = await store.readStream(userStream(userId));
  let state: UserState = { status: 'none' };
  for (const e of events) state = evolveUser(state, e as unknown as UserEvent);
  return state.status === 'registered' ? state : null;
}
