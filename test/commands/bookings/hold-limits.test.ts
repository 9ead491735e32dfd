import t from 'tap';
import { startTestService } from '../../helpers/service.js';
import { call } from '../../helpers/http.js';
import { signUp } from '../../helpers/auth.js';
import { guestHoldInput, setUpVenue } from '../../helpers/venue.js';
import { at } from '../../helpers/clock.js';
import { addMinutes } from '../../../src/clock.js';
import { holdBooking } from '../../../commands/bookings/hold.js';

const { app, platform, databaseUrl } = await startTestService(t);
const venue = await setUpVenue(app, platform, { maxActiveHolds: 2 });
const [S01, S02, S03] = venue.rooms.small as [string, string, string];
const [M01, M02] = venue.rooms.medium as [string, string];

const iso = (d: Date) => d.toISOString();
const hold = (target: typeof app, auth: Record<string, string>, roomId: string, daysAhead: number, hhmm: string) =>
  call(target, {
    method: 'POST',
    url: '/bookings',
    headers: auth,
    payload: { roomId, start: iso(venue.at(daysAhead, hhmm)), durationMinutes: 60, partySize: 2 },
  });

t.test('a guest holding the venue’s maxActiveHolds gets 409 too_many_holds; paying or cancelling one frees a place', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  t.equal((await hold(app, guest.auth, S01, 2, '12:00')).status, 201);
  const second = await hold(app, guest.auth, S02, 2, '12:00');
  t.equal(second.status, 201);
  const third = await hold(app, guest.auth, S03, 2, '12:00');
  t.equal(third.status, 409);
  t.match(third.body, { code: 'too_many_holds', status: 409 });
  t.match(String(third.headers['content-type']), /^application\/problem\+json/);

  const other = await signUp(app, platform.store, 'guest');
  t.equal((await hold(app, other.auth, S03, 2, '12:00')).status, 201, 'another guest has an allowance of their own');

  const cancel = await call(app, { method: 'POST', url: `/bookings/${second.body.id}/cancel`, headers: guest.auth, payload: {} });
  t.equal(cancel.status, 200);
  t.equal((await hold(app, guest.auth, M01, 2, '12:00')).status, 201, 'a cancelled hold no longer counts');
  t.equal((await hold(app, guest.auth, M02, 2, '12:00')).body.code, 'too_many_holds');
});

t.test('a hold refused for its slot does not use up the allowance', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const rival = await signUp(app, platform.store, 'guest');
  t.equal((await hold(app, rival.auth, S01, 3, '12:00')).status, 201);
  const taken = [await hold(app, guest.auth, S01, 3, '12:00'), await hold(app, guest.auth, S01, 3, '12:00')];
  t.same(
    taken.map((r) => r.body.code),
    ['slot_taken', 'slot_taken'],
  );
  const { rows } = await platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [
    `guestholds-${guest.userId}`,
  ]);
  t.equal(rows[0]!.n, 0, 'a slot seen taken is refused before the guest’s stream is written');
  t.equal((await hold(app, guest.auth, S02, 3, '12:00')).status, 201);
  t.equal((await hold(app, guest.auth, S03, 3, '12:00')).status, 201, 'both places are still there');
});

t.test('staff booking for a registered guest count against that guest; a name and phone only do not', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const staffHold = (roomId: string, extra: object) =>
    call(app, {
      method: 'POST',
      url: '/bookings',
      headers: venue.waiter.auth,
      payload: { roomId, start: iso(venue.at(4, '12:00')), durationMinutes: 60, partySize: 2, ...extra },
    });
  t.equal((await staffHold(S01, { guestId: guest.userId })).status, 201);
  t.equal((await staffHold(S02, { guestId: guest.userId })).status, 201);
  t.equal((await staffHold(S03, { guestId: guest.userId })).body.code, 'too_many_holds');
  for (const roomId of [S03, M01, M02]) t.equal((await staffHold(roomId, { guestName: 'Li', guestPhone: '+8613800000000' })).status, 201);
});

t.test('a hold whose time ran out stops counting, even before its expiry is recorded', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const now = new Date();
  const input = (roomId: string) => guestHoldInput(guest.userId, roomId, venue.at(5, '12:00'));
  const actor = { userId: guest.userId, staff: false };
  const metadata = { actor: guest.userId };
  await holdBooking(at(platform, now), input(S01), actor, metadata);
  await holdBooking(at(platform, now), input(S02), actor, metadata);
  await t.rejects(holdBooking(at(platform, addMinutes(now, 14)), input(S03), actor, metadata), { code: 'too_many_holds' });
  await holdBooking(at(platform, addMinutes(now, 16)), input(S03), actor, metadata);
});

t.test('parallel holds by one guest on two instances: exactly maxActiveHolds pass, the log agrees', async (t) => {
  // A second instance over the same database: the limit holds across processes, not only inside one.
  const second = await startTestService(t, { databaseUrl });
  const guest = await signUp(app, platform.store, 'guest');
  const slots = ['14:00', '16:00', '18:00', '20:00'].flatMap((hhmm) => [S01, S02, S03, M01, M02].map((room) => [room, hhmm] as const));
  const replies = await Promise.all(slots.map(([room, hhmm], i) => hold(i % 2 ? second.app : app, guest.auth, room, 6, hhmm)));
  const statuses = replies.map((r) => r.status);
  t.equal(statuses.filter((s) => s === 201).length, 2, `statuses ${statuses.join(' ')}`);
  t.equal(replies.filter((r) => r.body.code === 'too_many_holds').length, slots.length - 2);
  const { rows } = await platform.pool.query<{ type: string; n: number }>(
    'SELECT event_type AS type, count(*)::int AS n FROM events WHERE stream_id = $1 GROUP BY event_type ORDER BY event_type',
    [`guestholds-${guest.userId}`],
  );
  t.same(rows, [{ type: 'GuestHoldOpened', n: 2 }], 'two holds opened on the guest’s stream, nothing else');
});

t.test('booking commands count against the per-caller limit: 429 with Retry-After', async (t) => {
  const limited = await startTestService(t, { databaseUrl, env: { COMMANDS_PER_CALLER_PER_MINUTE: '2' } });
  const guest = await signUp(limited.app, platform.store, 'guest');
  const statuses = [];
  for (const room of [S01, S02, S03]) statuses.push(await hold(limited.app, guest.auth, room, 7, '12:00'));
  t.not(statuses[0]!.status, 429);
  t.not(statuses[1]!.status, 429);
  t.equal(statuses[2]!.status, 429);
  t.equal(statuses[2]!.body.code, 'rate_limited');
  const retry = Number(statuses[2]!.headers['retry-after']);
  t.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
});
