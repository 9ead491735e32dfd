import { UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { BonusRulesEvent, BonusTier } from '../../src/events/wallets.js';

export type BonusRules = Readonly<{ tiers: readonly BonusTier[] }>;
export type BonusRulesCommand = Readonly<{ type: 'SetTiers'; tiers: readonly BonusTier[]; by: string; now: Date }>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The bonus a top-up of `amount` earns now: the richest tier it reaches, with that tier's validity. */
export function bonusFor(rules: BonusRules, amount: number, now: Date): { bonus: number; expiresAt: Date | null } {
  const tier = rules.tiers
    .filter((t) => t.from <= amount)
    .reduce<BonusTier | null>((best, t) => (!best || t.from > best.from ? t : best), null);
  if (!tier || tier.bonus === 0) return { bonus: 0, expiresAt: null };
  return { bonus: tier.bonus, expiresAt: tier.validDays === null ? null : new Date(now.getTime() + tier.validDays * DAY_MS) };
}

/** The managers' bonus tiers (e.g. top up ¥1,000, get ¥200 for a year), replaced as a whole. */
export const bonusRulesDecider: Decider<BonusRules, BonusRulesCommand, BonusRulesEvent> = {
  initialState: () => ({ tiers: [] }),
  evolve: (_state, e) => ({ tiers: e.data.tiers }),
  decide: (c) => {
    const froms = c.tiers.map((t) => t.from);
    if (new Set(froms).size !== froms.length)
      throw new UnprocessableError('duplicate_tier', 'Two tiers start at the same amount.', { field: 'tiers' });
    const tiers = [...c.tiers].sort((a, b) => a.from - b.from);
    return [{ type: 'StoredValueBonusRulesSet', data: { tiers, by: c.by, at: c.now.toISOString() } }];
  },
};
