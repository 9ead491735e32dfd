import { Type } from '@sinclair/typebox';
import { BillLine } from '../../src/http/schemas.js';
import { billOf, type Booking } from './decider.js';

/** A bill still open: what the party owes so far, line by line. */
export const OpenBill = Type.Object({
  total: Type.Integer(),
  paid: Type.Integer(),
  due: Type.Integer(),
  currency: Type.Literal('CNY'),
  lines: Type.Array(BillLine),
});

export function openBill(b: Booking) {
  const { total, paid, due, currency, lines = [] } = billOf(b);
  return { total, paid, due, currency, lines: [...lines] };
}
