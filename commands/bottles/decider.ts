import { ConflictError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { BottleEvent } from '../../src/events/bottles.js';

type Stored = Extract<BottleEvent, { type: 'BottleStored' }>['data'];
export type BottleState = Readonly<{ status: 'none' }> | (Stored & Readonly<{ status: 'stored' | 'withdrawn' }>);

type At = Readonly<{ now: Date; by: string }>;
export type BottleCommand =
  (At & Readonly<{ type: 'Store'; bottle: Stored }>) | (At & Readonly<{ type: 'Withdraw'; bookingId: string | null }>);

export const bottleDecider: Decider<BottleState, BottleCommand, BottleEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, e) => {
    switch (e.type) {
      case 'BottleStored':
        return { ...e.data, status: 'stored' };
      case 'BottleWithdrawn':
        return state.status === 'none' ? state : { ...state, status: 'withdrawn' };
      default: {
        const never: never = e;
        throw new Error(`unknown bottle event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, state) => {
    if (c.type === 'Store') return state.status === 'none' ? [{ type: 'BottleStored', data: c.bottle }] : [];
    if (state.status === 'none') throw new ConflictError('bottle_not_found', 'No such stored bottle.');
    if (state.status === 'withdrawn') return [];
    if (Date.parse(state.expiresAt) <= c.now.getTime()) {
      throw new ConflictError('bottle_expired', `This bottle's storage ended at ${state.expiresAt}.`, { expiresAt: state.expiresAt });
    }
    const { bottleId, memberId } = state;
    return [{ type: 'BottleWithdrawn', data: { bottleId, memberId, bookingId: c.bookingId, by: c.by, at: c.now.toISOString() } }];
  },
};
