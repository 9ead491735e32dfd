import { UnprocessableError } from '../../src/errors.js';
import { handle, load, type Decider } from '../../src/eventstore/decide.js';
import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import {
  MEMBERSHIP_RULES_STREAM,
  memberSpendStream,
  userStream,
  type LevelThresholds,
  type MemberSpendEvent,
  type MembershipRulesEvent,
} from '../../src/events/users.js';
import { earnedLevel, spendInPeriod } from '../../domain/members/levels.js';
import { userDecider } from './decider.js';

/** The venue's rules for earned levels, and how many times they have been set (their version). */
export type MembershipRules = Readonly<{ version: number; periodDays: number; thresholds: LevelThresholds }> | null;

export type SetRules = Readonly<{ periodDays: number; thresholds: LevelThresholds; by: string; now: Date }>;

export const rulesDecider: Decider<MembershipRules, SetRules, MembershipRulesEvent> = {
  initialState: () => null,
  evolve: (state, e) => ({ version: (state?.version ?? 0) + 1, periodDays: e.data.periodDays, thresholds: e.data.thresholds }),
  decide: (c, state) => {
    const { silver, gold, black } = c.thresholds;
    if (!(silver < gold && gold < black))
      throw new UnprocessableError(
        'thresholds_not_ascending',
        'Each level must need more spend than the one below: silver < gold < black.',
      );
    const same =
      state?.periodDays === c.periodDays &&
      state.thresholds.silver === silver &&
      state.thresholds.gold === gold &&
      state.thresholds.black === black;
    if (same) return [];
    return [
      {
        type: 'MembershipLevelsSet',
        data: { periodDays: c.periodDays, thresholds: { silver, gold, black }, by: c.by, at: c.now.toISOString() },
      },
    ];
  },
};

/** What a member spent, by booking: a booking counts once however often its check-out is seen. */
export type MemberSpend = ReadonlyMap<string, Readonly<{ amount: number; at: Date }>>;

export type RecordSpend = Readonly<{ userId: string; bookingId: string; amount: number; at: Date }>;

export const spendDecider: Decider<MemberSpend, RecordSpend, MemberSpendEvent> = {
  initialState: () => new Map(),
  evolve: (state, e) => new Map(state).set(e.data.bookingId, { amount: e.data.amount, at: new Date(e.data.at) }),
  decide: (c, state) =>
    state.has(c.bookingId)
      ? []
      : [{ type: 'MemberSpendRecorded', data: { userId: c.userId, bookingId: c.bookingId, amount: c.amount, at: c.at.toISOString() } }],
};

/**
 * Decides a member's level from their spend over the rolling period before
 * `now`, under the venue's current rules; records `MembershipLevelEarned` when
 * it changes. Without rules, levels are only ever set by hand.
 */
export async function reviewLevel(store: EventStore, userId: string, now: Date, metadata: EventMetadata): Promise<void> {
  const { state: rules } = await load(store, MEMBERSHIP_RULES_STREAM, rulesDecider);
  if (!rules) return;
  const spend = await spendOf(store, userId, rules, now);
  const earned = earnedLevel(spend, rules.thresholds);
  const command = { type: 'Earn', userId, earned, spend, periodDays: rules.periodDays, rulesVersion: rules.version, now } as const;
  const { state: user } = await load(store, userStream(userId), userDecider);
  if (user.status === 'registered') await handle(store, userStream(userId), userDecider, command, metadata);
}

/** What a member spent in the rules' rolling period up to `now`, from their spend stream. */
export async function spendOf(store: EventStore, userId: string, rules: NonNullable<MembershipRules>, now: Date): Promise<number> {
  const { state: spends } = await load(store, memberSpendStream(userId), spendDecider);
  return spendInPeriod(spends.values(), rules.periodDays, now);
}

/** Records what a member spent on a booking (once per booking), then reviews their level. */
export async function recordSpend(store: EventStore, spend: RecordSpend, now: Date, metadata: EventMetadata): Promise<void> {
  await handle(store, memberSpendStream(spend.userId), spendDecider, spend, metadata);
  await reviewLevel(store, spend.userId, now, metadata);
}
