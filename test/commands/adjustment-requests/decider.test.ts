import t from 'tap';
import { adjustmentRequestDecider, type AdjustmentRequestCommand } from '../../../commands/adjustment-requests/decider.js';
import type { AdjustmentRequestEvent } from '../../../src/events/adjustments.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

const spec = DeciderSpecification.for(adjustmentRequestDecider);
const now = new Date('2026-03-13T13:30:00Z');
const at = now.toISOString();
const asked = {
  requestId: 'req-1',
  bookingId: 'b-1',
  kind: 'comp' as const,
  amount: null,
  percent: null,
  reason: 'birthday',
  requestedBy: 'waiter',
};
const requested: AdjustmentRequestEvent = { type: 'AdjustmentRequested', data: { ...asked, at } };
const approve: AdjustmentRequestCommand = { type: 'Approve', amount: 18000, by: 'manager', now };
const approved: AdjustmentRequestEvent = {
  type: 'AdjustmentRequestApproved',
  data: { requestId: 'req-1', bookingId: 'b-1', amount: 18000, approvedBy: 'manager', at },
};
const decline: AdjustmentRequestCommand = { type: 'Decline', reason: 'no', by: 'manager', now };
const declined: AdjustmentRequestEvent = {
  type: 'AdjustmentRequestDeclined',
  data: { requestId: 'req-1', bookingId: 'b-1', reason: 'no', declinedBy: 'manager', at },
};

t.test('a waiter’s request waits for a manager, who approves or declines it once', async (t) => {
  spec(t).given([]).when({ type: 'Ask', asked, by: 'waiter', now }).then([requested]);
  spec(t).given([requested]).when({ type: 'Ask', asked, by: 'waiter', now }).thenNothing('the same request, retried');
  spec(t).given([requested]).when(approve).then([approved]);
  spec(t).given([requested]).when(decline).then([declined]);
  spec(t).given([requested, approved]).when(approve).thenNothing('approved twice');
  spec(t).given([requested, approved]).when(decline).thenThrows('request_approved', { status: 409 });
  spec(t).given([requested, declined]).when(approve).thenThrows('request_declined', { status: 409 });
  spec(t).given([]).when(approve).thenThrows('request_not_found', { status: 409 });
});
