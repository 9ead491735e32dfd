import { ConflictError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { WaitlistEvent, WaitlistWish } from '../../src/events/bookings.js';

export type WaitlistEntry =
  | Readonly<{ status: 'none' }>
  | (WaitlistWish & Readonly<{ status: 'waiting' | 'offered' | 'expired' | 'cancelled'; id: string; bookingId: string | null }>);

type At = Readonly<{ entryId: string; now: Date }>;
export type WaitlistCommand =
  | (At & Readonly<{ type: 'Join'; wish: WaitlistWish }>)
  | (At & Readonly<{ type: 'Offer'; bookingId: string; roomId: string }>)
  | (At & Readonly<{ type: 'Leave' }>)
  | (At & Readonly<{ type: 'Expire' }>);

/** Whether an entry's wanted time has come: it can no longer be offered a room. */
export const passed = (e: Readonly<{ start: string }>, now: Date) => Date.parse(e.start) <= now.getTime();

export const waitlistDecider: Decider<WaitlistEntry, WaitlistCommand, WaitlistEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, e) => {
    switch (e.type) {
      case 'WaitlistJoined': {
        const { entryId, at: _, ...wish } = e.data;
        return { ...wish, status: 'waiting', id: entryId, bookingId: null };
      }
      case 'WaitlistOffered':
        return state.status === 'none' ? state : { ...state, status: 'offered', bookingId: e.data.bookingId };
      case 'WaitlistLeft':
        return state.status === 'none' ? state : { ...state, status: 'cancelled' };
      case 'WaitlistExpired':
        return state.status === 'none' ? state : { ...state, status: 'expired' };
      default: {
        const never: never = e;
        throw new Error(`unknown waitlist event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, state) => {
    const at = c.now.toISOString();
    if (c.type === 'Join') return state.status === 'none' ? [{ type: 'WaitlistJoined', data: { ...c.wish, entryId: c.entryId, at } }] : [];
    if (state.status === 'none') throw new ConflictError('waitlist_entry_not_found', 'No such waitlist entry.');
    switch (c.type) {
      case 'Offer':
        if (state.status === 'offered' && state.bookingId === c.bookingId) return [];
        if (state.status !== 'waiting') throw new ConflictError(`waitlist_${state.status}`, 'This waitlist entry is no longer waiting.');
        if (passed(state, c.now)) throw new ConflictError('waitlist_passed', 'The time this entry waits for has come.');
        return [{ type: 'WaitlistOffered', data: { entryId: c.entryId, bookingId: c.bookingId, roomId: c.roomId, at } }];
      case 'Leave':
        if (state.status === 'cancelled') return [];
        if (state.status !== 'waiting')
          throw new ConflictError(`waitlist_${state.status}`, `A waitlist entry that is ${state.status} cannot be left.`);
        return [{ type: 'WaitlistLeft', data: { entryId: c.entryId, at } }];
      case 'Expire':
        return state.status === 'waiting' && passed(state, c.now) ? [{ type: 'WaitlistExpired', data: { entryId: c.entryId, at } }] : [];
      default: {
        const never: never = c;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};
