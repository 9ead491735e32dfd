import { ConflictError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { GuestHoldEndReason, GuestHoldsEvent } from '../../src/events/bookings.js';

/** A guest's open holds: booking id to the instant the hold runs out. */
export type GuestHoldsState = Readonly<{ open: ReadonlyMap<string, number> }>;

type Target = Readonly<{ guestId: string; bookingId: string; now: Date }>;

export type GuestHoldsCommand =
  | (Target & Readonly<{ type: 'Open'; holdExpiresAt: Date; maxActiveHolds: number }>)
  | (Target & Readonly<{ type: 'End'; reason: GuestHoldEndReason }>);

/** Holds still counting at `now`: a hold whose time passed no longer counts, even before its expiry is recorded. */
export const countingHolds = (state: GuestHoldsState, now: Date): number =>
  [...state.open.values()].filter((expiresAt) => expiresAt > now.getTime()).length;

/**
 * One stream per guest decides the hold limit: two holds by one guest at once
 * append to it with the version they read, so they decide one after the other
 * and cannot both pass the limit.
 */
export const guestHoldsDecider: Decider<GuestHoldsState, GuestHoldsCommand, GuestHoldsEvent> = {
  initialState: () => ({ open: new Map() }),
  evolve: (state, e) => {
    const open = new Map(state.open);
    switch (e.type) {
      case 'GuestHoldOpened':
        open.set(e.data.bookingId, Date.parse(e.data.holdExpiresAt));
        break;
      case 'GuestHoldEnded':
        open.delete(e.data.bookingId);
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown guest-holds event ${JSON.stringify(never)}`);
      }
    }
    return { open };
  },
  decide: (c, state) => {
    const base = { guestId: c.guestId, bookingId: c.bookingId, at: c.now.toISOString() };
    switch (c.type) {
      case 'Open':
        if (state.open.has(c.bookingId)) return []; // a retried step of the same hold
        if (countingHolds(state, c.now) >= c.maxActiveHolds) {
          throw new ConflictError(
            'too_many_holds',
            `A guest may hold at most ${c.maxActiveHolds} unpaid bookings at once; pay or cancel one first.`,
          );
        }
        return [{ type: 'GuestHoldOpened', data: { ...base, holdExpiresAt: c.holdExpiresAt.toISOString() } }];
      case 'End':
        return state.open.has(c.bookingId) ? [{ type: 'GuestHoldEnded', data: { ...base, reason: c.reason } }] : [];
      default: {
        const never: never = c;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};
