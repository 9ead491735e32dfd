import type { EventStore } from '../eventstore/port.js';
import { OpenSessions } from './open-sessions.js';
import { USER_STREAM_PREFIX, userStream, type MembershipLevel, type UserEvent } from '../events/users.js';

export type UserState =
  | { status: 'none' }
  | {
      status: 'registered';
      id: string;
      email: string;
      name: string;
      phone: string | null;
      roles: readonly string[];
      /** The level pricing uses: the last one set by hand or earned. */
      membershipLevel: MembershipLevel;
      /** The last level a manager set by hand: earned levels never go below it. */
      levelSetByHand: MembershipLevel;
      externalIdentities: readonly string[];
      /** Disabled by an admin: no sign-in, no request, until enabled again. */
      disabled: boolean;
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
        levelSetByHand: 'regular',
        externalIdentities: [],
        disabled: false,
      };
    case 'ProfileUpdated':
      return state.status === 'registered' ? { ...state, name: e.data.name, phone: e.data.phone } : state;
    case 'RolesChanged':
      return state.status === 'registered' ? { ...state, roles: e.data.roles } : state;
    case 'MembershipLevelChanged':
      return state.status === 'registered' ? { ...state, membershipLevel: e.data.level, levelSetByHand: e.data.level } : state;
    case 'MembershipLevelEarned':
      return state.status === 'registered' ? { ...state, membershipLevel: e.data.level } : state;
    case 'ExternalIdentityLinked':
      return state.status === 'registered'
        ? { ...state, externalIdentities: [...state.externalIdentities, `${e.data.provider}:${e.data.subject}`] }
        : state;
    case 'EmailChanged':
      return state.status === 'registered' ? { ...state, email: e.data.email } : state;
    case 'AccountDisabled':
      return state.status === 'registered' ? { ...state, disabled: true } : state;
    case 'AccountEnabled':
      return state.status === 'registered' ? { ...state, disabled: false } : state;
    case 'PasswordResetIssued':
    case 'PasswordChanged':
      return state;
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

type User = Extract<UserState, { status: 'registered' }>;

/**
 * The current user of each request. Without Redis this process is the only API
 * process, so it makes every change to user streams and may remember what it
 * read: its own appends drop the entry before the command answers, so a role
 * change still applies to the very next request. With several processes
 * (Redis configured) every request reads the stream.
 */
export class CurrentUsers {
  private readonly remembered = new Map<string, User | null>();
  /** Counts this process's appends to any user stream, to spot one landing during a read. */
  private changes = 0;
  /** Whether a request's session exists and is open: checked with the user, on the same hook. */
  readonly sessions: OpenSessions;

  constructor(
    private readonly store: EventStore,
    private readonly onlyWriter: boolean,
  ) {
    this.sessions = new OpenSessions(store);
  }

  /** Hook for the store's local appends. */
  appended(streamId: string): void {
    this.sessions.appended(streamId);
    if (!streamId.startsWith(USER_STREAM_PREFIX)) return;
    this.remembered.delete(streamId.slice(USER_STREAM_PREFIX.length));
    this.changes++;
  }

  async get(userId: string): Promise<User | null> {
    if (!this.onlyWriter) return currentUser(this.store, userId);
    const known = this.remembered.get(userId);
    if (known !== undefined) return known;
    const before = this.changes;
    const user = await currentUser(this.store, userId);
    // Kept only if no user's stream changed while it was being read (it may have been this one).
    if (this.changes === before) {
      if (this.remembered.size >= MAX_REMEMBERED_USERS) this.remembered.clear();
      this.remembered.set(userId, user);
    }
    return user;
  }
}

const MAX_REMEMBERED_USERS = 100_000;
