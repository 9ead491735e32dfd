import t from 'tap';
import { adjustmentsProjection, type AdjustmentsDatabase } from '../../projections/adjustments.js';
import type { BookingEvent } from '../../src/events/bookings.js';
import type { AdjustmentRequestEvent } from '../../src/events/adjustments.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';

/** Corrections and requests for them (`rm.bill_adjustments`): who asked, who decided, and how. */
const spec = ProjectionSpecification.for<AdjustmentsDatabase>(t, adjustmentsProjection);

const at = (hhmm: string) => new Date(`2026-03-13T${hhmm}:00+08:00`);
const requested: AdjustmentRequestEvent = {
  type: 'AdjustmentRequested',
  data: {
    requestId: 'req-1',
    bookingId: 'bk-1',
    kind: 'discount',
    amount: null,
    percent: 10,
    reason: 'regulars',
    requestedBy: 'waiter',
    at: at('21:00').toISOString(),
  },
};
const approved: Extract<BookingEvent, { type: 'BillAdjusted' }> = {
  type: 'BillAdjusted',
  data: {
    bookingId: 'bk-1',
    adjustmentId: 'req-1',
    kind: 'discount',
    amount: 3380,
    percent: 10,
    reason: 'regulars',
    requestedBy: 'waiter',
    approvedBy: 'manager',
    approval: 'request',
    requestId: 'req-1',
    at: at('21:05').toISOString(),
  },
};
const declined: AdjustmentRequestEvent = {
  type: 'AdjustmentRequestDeclined',
  data: { requestId: 'req-1', bookingId: 'bk-1', reason: 'no', declinedBy: 'manager', at: at('21:05').toISOString() },
};
const pendingRow = {
  id: 'req-1',
  booking_id: 'bk-1',
  kind: 'discount' as const,
  amount: null,
  percent: 10,
  status: 'pending' as const,
  approval: null,
  requested_by: 'waiter',
  decided_by: null,
  requested_at: at('21:00'),
  decided_at: null,
};

t.test('a request waits, then its approval on the bill applies it, naming the waiter and the manager', async (t) => {
  await spec(t).given([requested]).expectRows('bill_adjustments', [pendingRow]);
  await spec(t)
    .given([requested])
    .when([approved])
    .redelivered()
    .expectRows('bill_adjustments', [
      { ...pendingRow, amount: 3380, status: 'applied', approval: 'request', decided_by: 'manager', decided_at: at('21:05') },
    ]);
});

t.test('a declined request keeps who declined it and why', async (t) => {
  await spec(t)
    .given([requested])
    .when([declined])
    .expectRows('bill_adjustments', [
      { ...pendingRow, status: 'declined', decided_by: 'manager', decline_reason: 'no', decided_at: at('21:05') },
    ]);
});

t.test('a manager’s own correction (recorded before approvals were named) reads as a manager’s', async (t) => {
  const { approval: _approval, requestId: _requestId, ...old } = approved.data;
  await spec(t)
    .given([{ type: 'BillAdjusted', data: { ...old, adjustmentId: 'adj-1', requestedBy: 'manager' } }])
    .expectRows('bill_adjustments', [
      { id: 'adj-1', status: 'applied', approval: 'manager', requested_by: 'manager', amount: 3380, requested_at: at('21:05') },
    ]);
});
