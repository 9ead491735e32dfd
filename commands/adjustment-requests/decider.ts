import { ConflictError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { AdjustmentAsked, AdjustmentRequestEvent } from '../../src/events/adjustments.js';

/** A waiter's request for a correction, until a manager answers it. */
export type AdjustmentRequest = AdjustmentAsked & Readonly<{ status: 'pending' | 'approved' | 'declined' }>;
export type AdjustmentRequestState = Readonly<{ status: 'none' }> | AdjustmentRequest;

type At = Readonly<{ now: Date; by: string }>;
export type AdjustmentRequestCommand =
  | (At & Readonly<{ type: 'Ask'; asked: AdjustmentAsked }>)
  /** Recorded after the correction is on the bill, with the amount it took off. */
  | (At & Readonly<{ type: 'Approve'; amount: number }>)
  | (At & Readonly<{ type: 'Decline'; reason: string }>);

const answered = (r: AdjustmentRequest) =>
  new ConflictError(`request_${r.status}`, `This request was ${r.status} already.`, { requestStatus: r.status });

export const adjustmentRequestDecider: Decider<AdjustmentRequestState, AdjustmentRequestCommand, AdjustmentRequestEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, e) => {
    switch (e.type) {
      case 'AdjustmentRequested': {
        const { at: _at, ...asked } = e.data;
        return { ...asked, status: 'pending' };
      }
      case 'AdjustmentRequestApproved':
        return state.status === 'none' ? state : { ...state, status: 'approved' };
      case 'AdjustmentRequestDeclined':
        return state.status === 'none' ? state : { ...state, status: 'declined' };
      default: {
        const never: never = e;
        throw new Error(`unknown adjustment request event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, state) => {
    const at = c.now.toISOString();
    if (c.type === 'Ask') return state.status === 'none' ? [{ type: 'AdjustmentRequested', data: { ...c.asked, at } }] : [];
    if (state.status === 'none') throw new ConflictError('request_not_found', 'No such request.');
    const { requestId, bookingId } = state;
    switch (c.type) {
      case 'Approve':
        if (state.status === 'approved') return [];
        if (state.status !== 'pending') throw answered(state);
        return [{ type: 'AdjustmentRequestApproved', data: { requestId, bookingId, amount: c.amount, approvedBy: c.by, at } }];
      case 'Decline':
        if (state.status === 'declined') return [];
        if (state.status !== 'pending') throw answered(state);
        return [{ type: 'AdjustmentRequestDeclined', data: { requestId, bookingId, reason: c.reason, declinedBy: c.by, at } }];
      default: {
        const never: never = c;
        throw new Error(`unknown adjustment request command ${JSON.stringify(never)}`);
      }
    }
  },
};
