import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { at } from '../helpers/clock.js';
import { addMinutes } from '../../src/clock.js';
import { expireWaitlist, offerWaitingGuests } from '../../commands/waitlist/offers.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const small = venue.rooms.small;

const iso = (d: Date) => d.toISOString();
const post = (auth: Record<string, string>, url: string, payload: object = {}) =>
  call(app, { method: 'POST', url, headers: auth, payload });
const entryOf = (auth: Record<string, string>, id: string) => call(app, { method: 'GET', url: `/waitlist/${id}`, headers: auth });

t.test('when a fitting room frees up, the first guest waiting gets it held in their name', async (t) => {
  const start = venue.at(3, '20:00');
  const wish = { start: iso(start), durationMinutes: 60, partySize: 2, type: 'small' };
  const holders = await Promise.all(small.map(() => signUp(app, platform.store, 'guest')));
  const holds = [];
  for (const [i, roomId] of small.entries())
    holds.push(await post(holders[i]!.auth, '/bookings', { roomId, start: iso(start), durationMinutes: 60, partySize: 2 }));
  t.ok(
    holds.every((h) => h.status === 201),
    'every small room is held',
  );

  const first = await signUp(app, platform.store, 'guest');
  const second = await signUp(app, platform.store, 'guest');
  const joined1 = await post(first.auth, '/waitlist', wish);
  t.equal(joined1.status, 201);
  t.equal(joined1.body.position, 1);
  await runner.catchUp();
  const joined2 = await post(second.auth, '/waitlist', wish);
  t.equal(joined2.body.position, 2);
  await runner.catchUp();
  t.same((await entryOf(second.auth, joined2.body.id)).body, { id: joined2.body.id, status: 'waiting', position: 2 });

  t.equal(await offerWaitingGuests(platform), 0, 'nothing fits while every small room is held');
  t.equal((await post(holders[1]!.auth, `/bookings/${holds[1]!.body.id}/cancel`)).status, 200);
  await runner.catchUp();
  t.equal(await offerWaitingGuests(platform), 1);
  await runner.catchUp();

  const offered = await entryOf(first.auth, joined1.body.id);
  t.same(offered.body, { id: joined1.body.id, status: 'offered', bookingId: joined1.body.id });
  const booking = await call(app, { method: 'GET', url: `/bookings/${offered.body.bookingId}`, headers: first.auth });
  t.equal(booking.status, 200, 'the guest sees the booking as their own');
  t.match(booking.body, { status: 'held', roomId: small[1], start: iso(start) });
  t.same((await entryOf(second.auth, joined2.body.id)).body, { id: joined2.body.id, status: 'waiting', position: 1 }, 'next in line');

  t.equal(await offerWaitingGuests(platform), 0, 'running again offers nothing more');
  const { rows } = await platform.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE event_type = 'BookingHeld' AND data->>'bookingId' = $1",
    [joined1.body.id],
  );
  t.equal(rows[0]!.n, 1);
});

t.test('its guest and staff read an entry; its guest leaves it; others get 404', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const other = await signUp(app, platform.store, 'guest');
  const joined = await post(guest.auth, '/waitlist', { start: iso(venue.at(4, '21:00')), durationMinutes: 120, partySize: 4 });
  t.equal(joined.status, 201);
  await runner.catchUp();
  t.equal((await entryOf(other.auth, joined.body.id)).status, 404);
  t.equal((await entryOf(venue.waiter.auth, joined.body.id)).body.status, 'waiting');
  t.equal((await post(other.auth, `/waitlist/${joined.body.id}/leave`)).status, 404);
  const left = await post(guest.auth, `/waitlist/${joined.body.id}/leave`);
  t.same(left.body, { id: joined.body.id, status: 'cancelled' });
  t.equal((await post(guest.auth, `/waitlist/${joined.body.id}/leave`)).status, 200, 'leaving twice is leaving once');
  await runner.catchUp();
  t.equal((await entryOf(guest.auth, joined.body.id)).body.status, 'cancelled');
  t.equal(await offerWaitingGuests(platform), 0, 'a guest who left is offered nothing');
});

t.test('an entry expires when its time passes; bad wishes are refused like holds', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const start = venue.at(5, '20:00');
  const joined = await post(guest.auth, '/waitlist', { start: iso(start), durationMinutes: 60, partySize: 2 });
  await runner.catchUp();
  await expireWaitlist(platform);
  await runner.catchUp();
  t.equal((await entryOf(guest.auth, joined.body.id)).body.status, 'waiting', 'not before its time');
  await expireWaitlist(at(platform, addMinutes(start, 1)));
  await runner.catchUp();
  t.equal((await entryOf(guest.auth, joined.body.id)).body.status, 'expired');
  t.equal((await post(guest.auth, `/waitlist/${joined.body.id}/leave`)).body.code, 'waitlist_expired');

  const past = await post(guest.auth, '/waitlist', { start: iso(venue.at(-1, '20:00')), durationMinutes: 60, partySize: 2 });
  t.equal(past.body.code, 'in_the_past');
  const long = await post(guest.auth, '/waitlist', { start: iso(start), durationMinutes: 60, partySize: 2, type: 'x'.repeat(33) });
  t.equal(long.body.code, 'validation_failed');
});
