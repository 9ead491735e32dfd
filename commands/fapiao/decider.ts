import { ConflictError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { FapiaoEvent } from '../../src/events/fapiao.js';

type Requested = Extract<FapiaoEvent, { type: 'FapiaoRequested' }>['data'];
export type FapiaoState = Readonly<{ status: 'none' }> | (Requested & Readonly<{ status: 'requested' }>);

export type FapiaoCommand = Readonly<{ type: 'Request'; request: Requested }>;

/** One fapiao request per bill: the same request again is a retry; a different one is refused. */
export const fapiaoDecider: Decider<FapiaoState, FapiaoCommand, FapiaoEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (_state, e) => ({ ...e.data, status: 'requested' }),
  decide: (c, state) => {
    if (state.status === 'none') return [{ type: 'FapiaoRequested', data: c.request }];
    const same = state.buyerName === c.request.buyerName && state.taxId === c.request.taxId && state.buyerKind === c.request.buyerKind;
    if (same) return [];
    throw new ConflictError('fapiao_already_requested', 'A fapiao was requested for this bill already; the accountant can correct it.', {
      buyerName: state.buyerName,
    });
  },
};
