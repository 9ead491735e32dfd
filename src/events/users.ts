import { createHash } from 'node:crypto';
import type { DomainEvent } from './event.js';

export const MEMBERSHIP_LEVELS = ['regular', 'silver', 'gold', 'black'] as const;
export type MembershipLevel = (typeof MEMBERSHIP_LEVELS)[number];

/** Events of `user-<id>` streams. Password hashes never appear here (see the credentials table). */
export type UserEvent =
  | DomainEvent<
      'UserRegistered',
      Readonly<{ userId: string; email: string; name: string; phone: string | null; roles: readonly string[]; via: string; at: string }>
    >
  | DomainEvent<'ProfileUpdated', Readonly<{ userId: string; name: string; phone: string | null; at: string }>>
  | DomainEvent<
      'RolesChanged',
      Readonly<{ userId: string; roles: readonly string[]; granted: readonly string[]; revoked: readonly string[]; by: string; at: string }>
    >
  | DomainEvent<
      'MembershipLevelChanged',
      Readonly<{ userId: string; level: MembershipLevel; previous: MembershipLevel; reason: string; by: string; at: string }>
    >
  | DomainEvent<'ExternalIdentityLinked', Readonly<{ userId: string; provider: string; subject: string; at: string }>>
  /** A departed or suspended employee: no sign-in, and every session ends at once. */
  | DomainEvent<'AccountDisabled', Readonly<{ userId: string; reason: string; by: string; at: string }>>
  | DomainEvent<'AccountEnabled', Readonly<{ userId: string; by: string; at: string }>>
  /** An admin made a one-time reset token (its hash is in `password_resets`, never here). */
  | DomainEvent<'PasswordResetIssued', Readonly<{ userId: string; by: string; expiresAt: string; at: string }>>
  | DomainEvent<'PasswordChanged', Readonly<{ userId: string; via: PasswordChangeVia; at: string }>>
  /** The user's own e-mail address changed (`previous` was theirs until then; its claim is given up). */
  | DomainEvent<'EmailChanged', Readonly<{ userId: string; email: string; previous: string; at: string }>>
  /**
   * The level the member's spend earned, decided after a check-out: `spend` is what they spent in
   * the `periodDays` before `at`, under the thresholds of `rulesVersion` of the `membership-levels` stream.
   */
  | DomainEvent<
      'MembershipLevelEarned',
      Readonly<{
        userId: string;
        level: MembershipLevel;
        previous: MembershipLevel;
        spend: number;
        periodDays: number;
        rulesVersion: number;
        at: string;
      }>
    >;

/** How a password came to be: a reset token, or the first one, set with a real e-mail address by an account that had none (WeChat). */
export type PasswordChangeVia = 'reset_token' | 'set_with_email';

/** The spend each level needs, in fen, over the rolling period; regular needs nothing. */
export type LevelThresholds = Readonly<{ silver: number; gold: number; black: number }>;

/** Events of the one `membership-levels` stream: the venue's rules for earned levels, set by managers. */
export type MembershipRulesEvent = DomainEvent<
  'MembershipLevelsSet',
  Readonly<{ periodDays: number; thresholds: LevelThresholds; by: string; at: string }>
>;

export const MEMBERSHIP_RULES_STREAM = 'membership-levels';

/** Events of `memberspend-<userId>` streams: what a member spent, one entry per checked-out booking. */
export type MemberSpendEvent = DomainEvent<
  'MemberSpendRecorded',
  Readonly<{ userId: string; bookingId: string; amount: number; at: string }>
>;

export const memberSpendStream = (userId: string) => `memberspend-${userId}`;

/** Events of `useremail-<hash>` streams: the claim that makes an e-mail address unique. */
export type EmailClaimEvent = DomainEvent<'EmailClaimed', Readonly<{ userId: string; at: string }>>;

/** Events of `useridentity-<hash>` streams: the claim that ties one provider's subject to one user. */
export type IdentityClaimEvent = DomainEvent<'ExternalIdentityClaimed', Readonly<{ userId: string; provider: string; at: string }>>;

export type SessionEndReason =
  'logout' | 'logout_all' | 'evicted' | 'refresh_reuse' | 'ended_by_user' | 'expired' | 'account_disabled' | 'password_reset';

/** Events of `sessions-<userId>` streams: every device session of one user. */
export type SessionEvent =
  | DomainEvent<
      'SessionStarted',
      Readonly<{ userId: string; sessionId: string; deviceId: string; method: string; refreshTokenHash: string; ip: string; at: string }>
    >
  | DomainEvent<'SessionRefreshed', Readonly<{ userId: string; sessionId: string; refreshTokenHash: string; at: string }>>
  | DomainEvent<'SessionEnded', Readonly<{ userId: string; sessionId: string; reason: SessionEndReason; at: string }>>;

/** Events of `authaudit-<YYYY-MM-DD>` streams: failed sign-ins, which may name no user. */
export type AuthAuditEvent = DomainEvent<
  'LoginFailed',
  Readonly<{
    email: string;
    userId: string | null;
    ip: string;
    reason: 'unknown_email' | 'wrong_password' | 'rate_limited' | 'oauth_refused';
    at: string;
  }>
>;

/**
 * Events of the one `admins` stream: who holds the admin role, so "at least one
 * admin" is decided on one stream with its expected version (see docs/ARCHITECTURE.md).
 */
export type AdminEvent =
  | DomainEvent<'AdminGranted', Readonly<{ userId: string; by: string; at: string }>>
  | DomainEvent<'AdminRevoked', Readonly<{ userId: string; by: string; at: string }>>
  /** An admin's account disabled or enabled again: a disabled admin does not count as one the venue keeps. */
  | DomainEvent<'AdminDisabled', Readonly<{ userId: string; by: string; at: string }>>
  | DomainEvent<'AdminEnabled', Readonly<{ userId: string; by: string; at: string }>>;

export const ADMINS_STREAM = 'admins';

export const USER_STREAM_PREFIX = 'user-';
export const userStream = (id: string) => `${USER_STREAM_PREFIX}${id}`;
export const sessionsStream = (userId: string) => `sessions-${userId}`;
export const authAuditStream = (at: Date) => `authaudit-${at.toISOString().slice(0, 10)}`;
export const normaliseEmail = (email: string) => email.trim().toLowerCase();
/**
 * An address under the reserved `.invalid` domain (RFC 2606) is no address: it stands in for one on
 * an account made by a sign-in that gave none (WeChat), is never shown as the user's e-mail, and is
 * never accepted as a new one.
 */
export const isPlaceholderEmail = (email: string) => normaliseEmail(email).endsWith('.invalid');
/** Hashed so the stream name carries no address. */
export const emailClaimStream = (email: string) => `useremail-${createHash('sha256').update(normaliseEmail(email)).digest('hex')}`;
/** Hashed like the e-mail claim: some providers use the address as the subject. */
export const identityClaimStream = (provider: string, subject: string) =>
  `useridentity-${createHash('sha256').update(`${provider}\n${subject}`).digest('hex')}`;
