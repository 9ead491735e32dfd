import type { Bill, BillLine } from '../../src/events/bookings.js';

/** A bill's lines; a bill recorded before bills were itemised was room time only, and reads as one room line. */
export const linesOf = (bill: Bill): readonly BillLine[] => bill.lines ?? [{ kind: 'room', description: 'Room', amount: bill.total }];

/** The part of a bill that is products (food and drink), the rest being room time. */
export const productsIn = (bill: Bill): number => linesOf(bill).reduce((sum, l) => sum + (l.kind === 'product' ? l.amount : 0), 0);
