import t from 'tap';
import { guestHoldsDecider } from '../../../commands/guest-holds/decider.js';
import { ConflictError } from '../../../src/errors.js';
import type { GuestHoldsEvent } from '../../../src/events/bookings.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** One guest's open holds, counted against the venue's maxActiveHolds (2 here); holds last 15 minutes from 20:00. */
const spec = DeciderSpecification.for(guestHoldsDecider);
const GUEST = 'guest-1';
const now = new Date('2026-03-13T12:00:00.000Z');
const in15 = '2026-03-13T12:15:00.000Z';

const opened = (bookingId: string, holdExpiresAt = in15): GuestHoldsEvent => ({
  type: 'GuestHoldOpened',
  data: { guestId: GUEST, bookingId, holdExpiresAt, at: now.toISOString() },
});
const open = (bookingId: string, at = now) =>
  ({ type: 'Open', guestId: GUEST, bookingId, holdExpiresAt: new Date(in15), maxActiveHolds: 2, now: at }) as const;

t.test('under the limit: the hold is opened', (t) => {
  spec(t)
    .given([opened('b1')])
    .when(open('b2'))
    .then([opened('b2')]);
  t.end();
});

t.test('at the limit: 409 too_many_holds', (t) => {
  spec(t)
    .given([opened('b1'), opened('b2')])
    .when(open('b3'))
    .thenThrows('too_many_holds', { is: ConflictError, status: 409 });
  t.end();
});

t.test('a hold ended (paid, cancelled, not taken) no longer counts', (t) => {
  const ended: GuestHoldsEvent = { type: 'GuestHoldEnded', data: { guestId: GUEST, bookingId: 'b1', reason: 'confirmed', at: in15 } };
  spec(t)
    .given([opened('b1'), opened('b2'), ended])
    .when(open('b3'))
    .then([opened('b3')]);
  t.end();
});

t.test('a hold whose time has passed no longer counts, recorded or not', (t) => {
  const later = new Date('2026-03-13T12:15:00.000Z');
  spec(t)
    .given([opened('b1'), opened('b2')])
    .when(open('b3', later))
    .then([{ type: 'GuestHoldOpened', data: { guestId: GUEST, bookingId: 'b3', holdExpiresAt: in15, at: later.toISOString() } }]);
  t.end();
});

t.test('the same hold opened again (a retried step) changes nothing, even at the limit', (t) => {
  spec(t)
    .given([opened('b1'), opened('b2')])
    .when(open('b2'))
    .thenNothing();
  t.end();
});

t.test('ending a hold that is not open changes nothing', (t) => {
  spec(t)
    .given([opened('b1')])
    .when({ type: 'End', guestId: GUEST, bookingId: 'b9', reason: 'cancelled', now })
    .thenNothing();
  t.end();
});
