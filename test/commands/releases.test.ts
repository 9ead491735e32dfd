import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { guestHoldInput, setUpVenue } from '../helpers/venue.js';
import { at } from '../helpers/clock.js';
import { addMinutes } from '../../src/clock.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { demoVenue } from '../../src/root/demo/rate-card.js';
import { holdBooking } from '../../commands/bookings/hold.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const [S01, S02] = venue.rooms.small as [string, string];

const release = (auth: Record<string, string>, date: string, opensAt: Date) =>
  call(app, { method: 'PUT', url: `/releases/${date}`, headers: auth, payload: { opensAt: opensAt.toISOString() } });

t.test('before its release a business date is 409 not_open_yet; other dates stay open; from the release on it books', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const start = venue.at(10, '20:00');
  const date = businessDateOf(start, demoVenue);
  const opensAt = addMinutes(new Date(), 60);
  const scheduled = await release(venue.manager.auth, date, opensAt);
  t.equal(scheduled.status, 200);
  t.same(scheduled.body, { businessDate: date, opensAt: opensAt.toISOString() });

  const payload = { roomId: S01, start: start.toISOString(), durationMinutes: 120, partySize: 2 };
  const early = await call(app, { method: 'POST', url: '/bookings', headers: guest.auth, payload });
  t.equal(early.status, 409);
  t.match(early.body, { code: 'not_open_yet', opensAt: opensAt.toISOString(), businessDate: date });
  const nextDay = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { ...payload, start: venue.at(11, '20:00').toISOString() },
  });
  t.equal(nextDay.status, 201, 'the next business date is not part of the release');

  const input = guestHoldInput(guest.userId, S02, start, 120);
  const actor = { userId: guest.userId, staff: false };
  await t.rejects(holdBooking(at(platform, addMinutes(opensAt, -1)), input, actor, { actor: guest.userId }), { code: 'not_open_yet' });
  const held = await holdBooking(at(platform, opensAt), input, actor, { actor: guest.userId });
  t.equal(held.businessDate, date, 'held at the release instant');

  await runner.catchUp();
  const listed = await call(app, { method: 'GET', url: `/releases?from=${date}` });
  t.equal(listed.status, 200);
  t.same(listed.body[0], { businessDate: date, opensAt: opensAt.toISOString() });
});

t.test('scheduling again replaces the opening time; a time in the past opens the date at once', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const start = venue.at(12, '20:00');
  const date = businessDateOf(start, demoVenue);
  t.equal((await release(venue.manager.auth, date, addMinutes(new Date(), 60))).status, 200);
  // Long enough ago that holds are no longer queued for the release's first minutes.
  t.equal((await release(venue.manager.auth, date, addMinutes(new Date(), -60))).status, 200);
  const payload = { roomId: S01, start: start.toISOString(), durationMinutes: 120, partySize: 2 };
  t.equal((await call(app, { method: 'POST', url: '/bookings', headers: guest.auth, payload })).status, 201);
});

t.test('only managers schedule releases; bad input is validation_failed', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  t.equal((await release(guest.auth, '2030-01-01', new Date())).status, 403);
  t.equal((await release(venue.waiter.auth, '2030-01-01', new Date())).status, 403);
  t.equal((await release(venue.manager.auth, 'tomorrow', new Date())).body.code, 'validation_failed');
  const noBody = await call(app, { method: 'PUT', url: '/releases/2030-01-01', headers: venue.manager.auth, payload: {} });
  t.equal(noBody.body.code, 'validation_failed');
});
