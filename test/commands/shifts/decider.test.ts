import t from 'tap';
import { DeciderSpecification } from '../../helpers/decider-spec.js';
import { tillDecider } from '../../../commands/shifts/decider.js';
import type { TillEvent } from '../../../src/events/shifts.js';

const spec = DeciderSpecification.for(tillDecider);
const staffId = 'waiter-1';
const now = new Date('2026-03-13T20:00:00+08:00');
const at = now.toISOString();
const opened: TillEvent = { type: 'ShiftOpened', data: { shiftId: 'waiter-1.1', staffId, openingCash: 50_000, takenOverFrom: null, at } };
const moved = (
  movementId: string,
  kind: 'payment' | 'refund' | 'top_up',
  method: 'cash' | 'card',
  amount: number,
  shiftId: string | null = 'waiter-1.1',
): TillEvent => ({
  type: 'DeskMoneyRecorded',
  data: { staffId, shiftId, movementId, kind, method, amount, bookingId: null, memberId: null, at },
});
const record = (movementId: string, amount: number) =>
  ({ type: 'Record', staffId, movementId, kind: 'payment', method: 'cash', amount, bookingId: null, memberId: null, now }) as const;
const close = (countedCash: number, reason: string | null = null) =>
  ({ type: 'Close', shiftId: 'waiter-1.1', countedCash, reason, handedOverCash: 0, now }) as const;

t.test('money is recorded in the open shift, once; with none open, outside any shift', async (t) => {
  spec(t)
    .given([opened])
    .when(record('p1', 100))
    .then([moved('p1', 'payment', 'cash', 100)]);
  spec(t)
    .given([opened, moved('p1', 'payment', 'cash', 100)])
    .when(record('p1', 100))
    .thenNothing();
  spec(t)
    .given([])
    .when(record('p1', 100))
    .then([moved('p1', 'payment', 'cash', 100, null)]);
});

t.test('one shift open at a time', async (t) => {
  spec(t)
    .given([opened])
    .when({ type: 'Open', staffId, openingCash: 0, takenOverFrom: null, now })
    .thenThrows('shift_open', { status: 409 });
});

t.test('closing: expected cash is the float plus cash in less cash out; a difference needs a reason', async (t) => {
  const day = [
    opened,
    moved('p1', 'payment', 'cash', 12_000),
    moved('t1', 'top_up', 'cash', 100_000),
    moved('p2', 'payment', 'card', 8_000),
    moved('r1', 'refund', 'cash', 2_000),
  ];
  const expected = 50_000 + 12_000 + 100_000 - 2_000;
  spec(t)
    .given(day)
    .when(close(expected - 100))
    .thenThrows('reason_required', { status: 422, detail: { difference: -100 } });
  spec(t)
    .given(day)
    .when(close(expected - 100, 'change given twice'))
    .then([
      {
        type: 'ShiftClosed',
        data: {
          shiftId: 'waiter-1.1',
          staffId,
          openingCash: 50_000,
          byMethod: { cash: 112_000, card: 8_000, wechatpay: 0, stored_value: 0 },
          refunds: { cash: 2_000, card: 0, wechatpay: 0, stored_value: 0 },
          expectedCash: expected,
          countedCash: expected - 100,
          difference: -100,
          reason: 'change given twice',
          handedOverCash: 0,
          at,
        },
      },
    ]);
});
