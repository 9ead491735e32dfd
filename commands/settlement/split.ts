import { ConflictError, UnprocessableError } from '../../src/errors.js';

/** One part of a split settlement as the desk enters it; at most one part may leave `amount` out and take the rest. */
export type SplitPart = Readonly<{ method: 'cash' | 'card' | 'stored_value'; amount?: number; memberId?: string }>;
export type PlannedPart = Readonly<{ method: SplitPart['method']; amount: number; memberId?: string }>;

/** Refused before anything is decided: more than one part without an amount, or cash tendered with no cash part. */
export function checkSplit(parts: readonly SplitPart[], cashTendered: number | undefined): void {
  if (parts.filter((p) => p.amount === undefined).length > 1)
    throw new UnprocessableError('split_ambiguous', 'At most one part may leave its amount out (it takes the rest).', {
      field: 'payments',
    });
  if (cashTendered !== undefined && !parts.some((p) => p.method === 'cash'))
    throw new UnprocessableError('no_cash_part', 'Cash was tendered but no part is paid in cash.', { field: 'cashTendered' });
}

/**
 * What each part takes of `due`, and the change given back from the cash tendered (找零). The parts
 * must cover the bill exactly: the part without an amount takes what the others leave, and with
 * none the amounts must add up to what is due.
 */
export function planSplit(parts: readonly SplitPart[], due: number, cashTendered: number | undefined) {
  const fixed = parts.reduce((s, p) => s + (p.amount ?? 0), 0);
  const rest = due - fixed;
  const open = parts.some((p) => p.amount === undefined);
  if (rest < 0 || (!open && rest !== 0))
    throw new ConflictError('split_mismatch', `The parts add up to ${fixed} fen; ${due} is due.`, { due, given: fixed });
  const planned: PlannedPart[] = parts.map((p) => ({ ...p, amount: p.amount ?? rest })).filter((p) => p.amount > 0);
  const cash = planned.filter((p) => p.method === 'cash').reduce((s, p) => s + p.amount, 0);
  const tendered = cashTendered ?? cash;
  if (tendered < cash)
    throw new UnprocessableError('tendered_short', `${tendered} fen tendered for ${cash} fen in cash.`, { field: 'cashTendered', cash });
  return { parts: planned, cashTendered: tendered, change: tendered - cash };
}
