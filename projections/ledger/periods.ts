import { addDays } from '../../domain/venue/time.js';

export type ClosedPeriod = Readonly<{ from: string; to: string }>;

/**
 * The business date a journal line is dated on: its own, unless that date lies in a closed period,
 * in which case the first open date after it (periods may follow one another, so this repeats).
 */
export function openDateFor(date: string, closed: readonly ClosedPeriod[]): string {
  let dated = date;
  for (let period = find(dated, closed); period; period = find(dated, closed)) dated = addDays(period.to, 1);
  return dated;
}

const find = (date: string, closed: readonly ClosedPeriod[]) => closed.find((p) => p.from <= date && date <= p.to);

/** How a line moved out of a closed period says so, for the accountant reading the journal. */
export const lateDescription = (description: string, original: string) => `${description} (late posting for ${original}, a closed date)`;
