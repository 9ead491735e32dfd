import t from 'tap';
import { deskAuditProjection, type DeskAuditDatabase } from '../../projections/desk-audit.js';
import type { GivenEvent } from '../helpers/projection-spec.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';

/**
 * The desk's audit trail (`rm.desk_actions`): one row per desk action, its actor
 * from the event's metadata (the request's signed-in user), the money it moved.
 */
const spec = ProjectionSpecification.for<DeskAuditDatabase>(t, deskAuditProjection);

const at = '2026-03-13T12:00:00.000Z';
const B = 'booking-1';
const checkedIn: GivenEvent = { type: 'BookingCheckedIn', data: { bookingId: B, by: 'waiter-1', at }, metadata: { actor: 'waiter-1' } };
const adjusted: GivenEvent = {
  type: 'BillAdjusted',
  data: {
    bookingId: B,
    adjustmentId: 'adj-1',
    kind: 'discount',
    amount: 800,
    percent: 10,
    reason: 'regulars',
    requestedBy: 'waiter-1',
    approvedBy: 'manager-1',
    at,
  },
  metadata: { actor: 'manager-1' },
};
const paid: GivenEvent = {
  type: 'PaymentSucceeded',
  data: { paymentId: 'p-1', bookingId: B, method: 'cash', purpose: 'balance', transactionId: 'cash-1', amount: 7200, paidAt: at, at },
};

t.test('each desk action is a row naming its actor, approver and amount', async (t) => {
  await spec(t)
    .given([checkedIn, adjusted, paid])
    .expectRows(
      'desk_actions',
      [
        { type: 'BookingCheckedIn', actor: 'waiter-1', approved_by: null, booking_id: B, amount: null, at: new Date(at) },
        { type: 'BillAdjusted', actor: 'manager-1', approved_by: 'manager-1', booking_id: B, amount: 800, at: new Date(at) },
        { type: 'PaymentSucceeded', actor: 'system', approved_by: null, booking_id: B, amount: 7200, at: new Date(at) },
      ],
      { orderBy: 'position' },
    );
});

t.test('without an actor in the metadata, the event’s own `by` names it', async (t) => {
  const { metadata: _none, ...older } = checkedIn;
  await spec(t)
    .given([older])
    .expectRows('desk_actions', [{ actor: 'waiter-1' }]);
});

t.test('a batch delivered again adds nothing', async (t) => {
  await spec(t)
    .given([checkedIn, paid])
    .redelivered()
    .expectRows('desk_actions', [{ type: 'BookingCheckedIn' }, { type: 'PaymentSucceeded' }], { orderBy: 'position' });
});
