import { ConflictError, NotFoundError, UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import { evolveUser, type UserState } from '../../src/auth/current-user.js';
import { isRole } from '../../src/auth/permissions.js';
import { higherLevel } from '../../domain/members/levels.js';
import type { MembershipLevel, PasswordChangeVia, UserEvent } from '../../src/events/users.js';

export type UserCommand =
  | Readonly<{ type: 'Register'; userId: string; email: string; name: string; phone: string | null; via: string; now: Date }>
  | Readonly<{ type: 'UpdateProfile'; userId: string; name: string | undefined; phone: string | null | undefined; now: Date }>
  | Readonly<{ type: 'ChangeRoles'; userId: string; grant: readonly string[]; revoke: readonly string[]; by: string; now: Date }>
  | Readonly<{ type: 'ChangeMembership'; userId: string; level: MembershipLevel; reason: string; by: string; now: Date }>
  | Readonly<{ type: 'LinkExternalIdentity'; userId: string; provider: string; subject: string; now: Date }>
  | Readonly<{ type: 'Disable'; userId: string; reason: string; by: string; now: Date }>
  | Readonly<{ type: 'Enable'; userId: string; by: string; now: Date }>
  | Readonly<{ type: 'IssuePasswordReset'; userId: string; by: string; expiresAt: Date; now: Date }>
  | Readonly<{ type: 'ChangeEmail'; userId: string; email: string; now: Date }>
  | Readonly<{ type: 'RecordPasswordChange'; userId: string; via: PasswordChangeVia; now: Date }>
  | Readonly<{
      type: 'Earn';
      userId: string;
      earned: MembershipLevel;
      spend: number;
      periodDays: number;
      rulesVersion: number;
      now: Date;
    }>;

function registered(state: UserState, userId: string) {
  if (state.status !== 'registered') throw new NotFoundError('user', userId);
  return state;
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveUser,
  decide: (command, state) => {
    const at = command.now.toISOString();
    switch (command.type) {
      case 'Register':
        if (state.status !== 'none') throw new ConflictError('user_exists', `User ${command.userId} already exists.`);
        return [
          {
            type: 'UserRegistered',
            data: {
              userId: command.userId,
              email: command.email,
              name: command.name,
              phone: command.phone,
              roles: ['guest'],
              via: command.via,
              at,
            },
          },
        ];
      case 'UpdateProfile': {
        const user = registered(state, command.userId);
        const name = command.name ?? user.name;
        const phone = command.phone === undefined ? user.phone : command.phone;
        if (name === user.name && phone === user.phone) return [];
        return [{ type: 'ProfileUpdated', data: { userId: user.id, name, phone, at } }];
      }
      case 'ChangeRoles': {
        const user = registered(state, command.userId);
        const unknown = [...command.grant, ...command.revoke].filter((r) => !isRole(r));
        if (unknown.length > 0) throw new UnprocessableError('unknown_role', `Unknown roles: ${unknown.join(', ')}.`, { roles: unknown });
        const roles = new Set(user.roles);
        for (const r of command.grant) roles.add(r);
        for (const r of command.revoke) roles.delete(r);
        const granted = [...roles].filter((r) => !user.roles.includes(r));
        const revoked = user.roles.filter((r) => !roles.has(r));
        if (granted.length === 0 && revoked.length === 0) return [];
        return [{ type: 'RolesChanged', data: { userId: user.id, roles: [...roles].sort(), granted, revoked, by: command.by, at } }];
      }
      case 'ChangeMembership': {
        const user = registered(state, command.userId);
        if (user.membershipLevel === command.level) return [];
        return [
          {
            type: 'MembershipLevelChanged',
            data: { userId: user.id, level: command.level, previous: user.membershipLevel, reason: command.reason, by: command.by, at },
          },
        ];
      }
      case 'LinkExternalIdentity': {
        const user = registered(state, command.userId);
        if (user.externalIdentities.includes(`${command.provider}:${command.subject}`)) return [];
        return [{ type: 'ExternalIdentityLinked', data: { userId: user.id, provider: command.provider, subject: command.subject, at } }];
      }
      case 'Disable': {
        const user = registered(state, command.userId);
        // An admin locking themselves out helps nobody; another admin can do it.
        if (command.by === user.id)
          throw new ConflictError('cannot_disable_self', 'You cannot disable your own account; another admin can.');
        if (user.disabled) return [];
        return [{ type: 'AccountDisabled', data: { userId: user.id, reason: command.reason, by: command.by, at } }];
      }
      case 'Enable': {
        const user = registered(state, command.userId);
        return user.disabled ? [{ type: 'AccountEnabled', data: { userId: user.id, by: command.by, at } }] : [];
      }
      case 'IssuePasswordReset': {
        const user = registered(state, command.userId);
        return [{ type: 'PasswordResetIssued', data: { userId: user.id, by: command.by, expiresAt: command.expiresAt.toISOString(), at } }];
      }
      case 'RecordPasswordChange': {
        const user = registered(state, command.userId);
        return [{ type: 'PasswordChanged', data: { userId: user.id, via: command.via, at } }];
      }
      case 'ChangeEmail': {
        const user = registered(state, command.userId);
        if (user.email === command.email) return [];
        return [{ type: 'EmailChanged', data: { userId: user.id, email: command.email, previous: user.email, at } }];
      }
      case 'Earn': {
        const user = registered(state, command.userId);
        // A level a manager set by hand is a floor: spend raises a member above it, never below.
        const level = higherLevel(command.earned, user.levelSetByHand);
        if (level === user.membershipLevel) return [];
        const { spend, periodDays, rulesVersion } = command;
        return [
          {
            type: 'MembershipLevelEarned',
            data: { userId: user.id, level, previous: user.membershipLevel, spend, periodDays, rulesVersion, at },
          },
        ];
      }
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};
