import type { Bill, BillLine } from '../../src/events/bookings.js';

/** A bill's lines; a bill recorded before bills were itemised was room time only, and reads as one room line. */
export const linesOf = (bill: Bill): readonly BillLine[] => bill.lines ?? [{ kind: 'room', description: 'Room', amount: bill.total }];

/** A bill's lines of one kind, added up; adjustments add up negative. */
export const sumOf = (bill: Bill, kinds: readonly BillLine['kind'][]): number =>
  linesOf(bill).reduce((sum, l) => sum + (kinds.includes(l.kind) ? l.amount : 0), 0);
