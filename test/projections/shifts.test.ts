import t from 'tap';
import { shiftsProjection, type ShiftsDatabase } from '../../projections/shifts.js';
import type { TillEvent } from '../../src/events/shifts.js';
import type { WalletEvent } from '../../src/events/wallets.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';
import { GUEST, WAITER, at, paymentSucceeded, refundSucceeded } from './fixtures.js';

/**
 * `rm.desk_unrecorded`: desk money the money's own event names a staff member for, and no till has
 * recorded. The two events come in either order (one commit on PostgreSQL, two appends elsewhere),
 * so only money still missing from the till is kept; the till's record removes it.
 */
const spec = ProjectionSpecification.for<ShiftsDatabase>(t, shiftsProjection);

const atDesk = paymentSucceeded('pay-1', 8_000, { method: 'cash', purpose: 'balance', hhmm: '20:00' });
const paidAtDesk = { ...atDesk, data: { ...atDesk.data, desk: WAITER } } as typeof atDesk;
const refund = refundSucceeded('pay-1', 'pay-1-r1', 3_000, { method: 'cash', hhmm: '20:10' });
const refundedAtDesk = { ...refund, data: { ...refund.data, desk: WAITER } } as typeof refund;
const toppedUp: WalletEvent = {
  type: 'StoredValueToppedUp',
  data: {
    userId: GUEST,
    topUpId: 'top-1',
    method: 'card',
    paid: 5_000,
    bonus: 0,
    bonusExpiresAt: null,
    by: WAITER,
    at: at('20:20').toISOString(),
  },
};
const recorded = (movementId: string, kind: 'payment' | 'refund' | 'top_up', amount: number): TillEvent => ({
  type: 'DeskMoneyRecorded',
  data: {
    staffId: WAITER,
    shiftId: null,
    movementId,
    kind,
    method: 'cash',
    amount,
    bookingId: null,
    memberId: null,
    at: at('20:30').toISOString(),
  },
});

t.test('desk money with no till record yet is kept: payments, refunds and top-ups, by who handled them', async (t) => {
  await spec(t)
    .given([paidAtDesk, refundedAtDesk, toppedUp])
    .expectRows('desk_unrecorded', [
      { movement_id: 'pay-1', staff_id: WAITER, kind: 'payment', source_id: 'pay-1', at: at('20:00') },
      { movement_id: 'pay-1-r1', staff_id: WAITER, kind: 'refund', source_id: 'pay-1', at: at('20:10') },
      { movement_id: 'top-1', staff_id: WAITER, kind: 'top_up', source_id: GUEST, at: at('20:20') },
    ]);
});

t.test('the till record removes it, whichever of the two comes first', async (t) => {
  await spec(t)
    .given([paidAtDesk, toppedUp])
    .when([recorded('pay-1', 'payment', 8_000), recorded('top-1', 'top_up', 5_000)])
    .expectRows('desk_unrecorded', []);
  await spec(t)
    .given([recorded('pay-1', 'payment', 8_000), recorded('pay-1-r1', 'refund', 3_000)])
    .when([paidAtDesk, refundedAtDesk])
    .expectRows('desk_unrecorded', []);
});

t.test('money nobody at the desk handled (a provider, a guest paying online) is not desk money', async (t) => {
  await spec(t).given([atDesk, refund]).expectRows('desk_unrecorded', []);
});
