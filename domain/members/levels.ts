import { MEMBERSHIP_LEVELS, type LevelThresholds, type MembershipLevel } from '../../src/events/users.js';

const rank = (level: MembershipLevel) => MEMBERSHIP_LEVELS.indexOf(level);

/** The higher of two levels (regular < silver < gold < black). */
export const higherLevel = (a: MembershipLevel, b: MembershipLevel): MembershipLevel => (rank(a) >= rank(b) ? a : b);

/** The highest level whose threshold `spend` (fen) reaches; regular when none. */
export function earnedLevel(spend: number, thresholds: LevelThresholds): MembershipLevel {
  if (spend >= thresholds.black) return 'black';
  if (spend >= thresholds.gold) return 'gold';
  if (spend >= thresholds.silver) return 'silver';
  return 'regular';
}

/** What was spent in the `periodDays` up to `now` (a rolling window: older spend no longer counts). */
export function spendInPeriod(spends: Iterable<Readonly<{ amount: number; at: Date }>>, periodDays: number, now: Date): number {
  const since = now.getTime() - periodDays * 86_400_000;
  let total = 0;
  for (const s of spends) if (s.at.getTime() > since && s.at.getTime() <= now.getTime()) total += s.amount;
  return total;
}

/** The next level above what `spend` earns and how much more it needs (fen); null at the top. */
export function nextLevel(spend: number, thresholds: LevelThresholds): Readonly<{ level: MembershipLevel; missing: number }> | null {
  for (const level of ['silver', 'gold', 'black'] as const)
    if (spend < thresholds[level]) return { level, missing: thresholds[level] - spend };
  return null;
}
