import t from 'tap';
import { waitlistDecider } from '../../../commands/waitlist/decider.js';
import type { WaitlistEvent } from '../../../src/events/bookings.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** One guest's place on the waitlist for 20:00 on Friday 2026-03-13 (12:00 UTC). */
const spec = DeciderSpecification.for(waitlistDecider);
const ID = 'entry-1';
const before = new Date('2026-03-13T10:00:00.000Z');
const after = new Date('2026-03-13T12:00:00.000Z');
const wish = {
  guestId: 'guest-1',
  businessDate: '2026-03-13',
  start: '2026-03-13T12:00:00.000Z',
  durationMinutes: 60,
  partySize: 2,
  roomTypeId: null,
};
const joined: WaitlistEvent = { type: 'WaitlistJoined', data: { ...wish, entryId: ID, at: before.toISOString() } };
const offer = (now = before) => ({ type: 'Offer', entryId: ID, bookingId: ID, roomId: 'room-1', now }) as const;
const offered: WaitlistEvent = {
  type: 'WaitlistOffered',
  data: { entryId: ID, bookingId: ID, roomId: 'room-1', at: before.toISOString() },
};

t.test('a waiting entry is offered a room', (t) => {
  spec(t).given([joined]).when(offer()).then([offered]);
  t.end();
});

t.test('an offer made again (a resumed run) changes nothing', (t) => {
  spec(t).given([joined, offered]).when(offer()).thenNothing();
  t.end();
});

t.test('an entry whose time has come is offered nothing and expires', (t) => {
  spec(t).given([joined]).when(offer(after)).thenThrows('waitlist_passed');
  spec(t)
    .given([joined])
    .when({ type: 'Expire', entryId: ID, now: after })
    .then([{ type: 'WaitlistExpired', data: { entryId: ID, at: after.toISOString() } }]);
  spec(t).given([joined]).when({ type: 'Expire', entryId: ID, now: before }).thenNothing('not before its time');
  t.end();
});

t.test('leaving: once; an offered entry cannot be left (its booking is cancelled instead)', (t) => {
  const left: WaitlistEvent = { type: 'WaitlistLeft', data: { entryId: ID, at: before.toISOString() } };
  spec(t).given([joined]).when({ type: 'Leave', entryId: ID, now: before }).then([left]);
  spec(t).given([joined, left]).when({ type: 'Leave', entryId: ID, now: before }).thenNothing();
  spec(t).given([joined, offered]).when({ type: 'Leave', entryId: ID, now: before }).thenThrows('waitlist_offered');
  spec(t).given([joined, left]).when(offer()).thenThrows('waitlist_cancelled');
  t.end();
});
