import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { holdBooking } from '../../commands/bookings/hold.js';
import { expireHold } from '../../commands/bookings/expiry.js';
import { at } from '../helpers/clock.js';
import { until } from '../helpers/until.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const [S01, S02, S03] = venue.rooms.small as [string, string, string];
const [M01, M02] = venue.rooms.medium as [string, string];
const L01 = venue.rooms.large[0]!;
await runner.catchUp();

type Offer = { roomId: string; name: string; type: string; capacity: number; price: { total: number; currency: string } };
const iso = (d: Date) => d.toISOString();
const available = async (query: Record<string, string | number>, headers: Record<string, string> = {}) => {
  const r = await call(app, {
    method: 'GET',
    url: `/availability?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`,
    headers,
  });
  if (r.status !== 200) throw new Error(`availability ${r.status}: ${r.raw}`);
  return r.body as Offer[];
};
const ids = (offers: Offer[]) => offers.map((o) => o.roomId).sort();

/** Projections commit, then NOTIFY: the cache hears of it a moment later (later still on a busy host). */
async function settle(check: () => Promise<boolean>): Promise<boolean> {
  await runner.catchUp();
  return until(check);
}

t.test('every room big enough, in service and free; cheapest first, each with the price a hold gets', async (t) => {
  const start = venue.at(3, '20:00');
  const offers = await available({ start: iso(start), durationMinutes: 120, partySize: 3 });
  t.same(ids(offers), [S01, S02, S03, M01, M02, L01].sort());
  const totals = offers.map((o) => o.price.total);
  t.same(
    totals,
    [...totals].sort((a, b) => a - b),
    'cheapest first',
  );
  const quote = await call(app, { method: 'GET', url: `/quote?roomId=${M01}&start=${encodeURIComponent(iso(start))}&durationMinutes=120` });
  t.equal(offers.find((o) => o.roomId === M01)!.price.total, quote.body.total, 'the same price /quote gives');

  t.same(ids(await available({ start: iso(start), durationMinutes: 120, partySize: 9 })), [L01], 'party size filters by capacity');
  t.same(await available({ start: iso(start), durationMinutes: 120, partySize: 16 }), [], 'nobody fits 16');
  t.same(ids(await available({ start: iso(start), durationMinutes: 120, partySize: 2, type: 'medium' })), [M01, M02].sort(), 'by type');
  const cheapest = Math.min(...totals);
  const capped = await available({ start: iso(start), durationMinutes: 120, partySize: 2, maxPrice: cheapest });
  t.ok(capped.length > 0 && capped.every((o) => o.price.total <= cheapest), 'under the price ceiling');
  t.ok(capped.length < offers.length, 'dearer rooms left out');
});

t.test('a hold takes its room off the list once projected, its cleaning buffer included; a release puts it back', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const query = (hhmm: string, minutes: number) =>
    available({ start: iso(venue.at(4, hhmm)), durationMinutes: minutes, partySize: 2, type: 'small' });
  t.ok(
    (await query('20:00', 120)).some((o) => o.roomId === S01),
    'free before, and now cached',
  );
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: S01, start: iso(venue.at(4, '20:00')), durationMinutes: 120, partySize: 2 },
  });
  t.equal(held.status, 201);
  t.ok(
    await settle(async () => !(await query('20:00', 120)).some((o) => o.roomId === S01)),
    'the cached answer is dropped when the booking is projected',
  );
  t.notOk(
    (await query('22:00', 60)).some((o) => o.roomId === S01),
    'its cleaning buffer to 22:15 is busy',
  );
  t.ok(
    (await query('22:15', 60)).some((o) => o.roomId === S01),
    'free after the buffer',
  );
  t.notOk(
    (await query('19:00', 60)).some((o) => o.roomId === S01),
    'a party ending 20:00 would leave no time to clean',
  );
  t.ok(
    (await query('18:45', 60)).some((o) => o.roomId === S01),
    'ending 19:45 leaves the buffer',
  );

  const cancelled = await call(app, { method: 'POST', url: `/bookings/${held.body.id}/cancel`, headers: guest.auth });
  t.equal(cancelled.status, 200);
  t.ok(await settle(async () => (await query('20:00', 120)).some((o) => o.roomId === S01)), 'cancelling frees it again');
});

t.test('an expired hold stops counting at its expiry, before any job has run', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const start = venue.at(5, '20:00');
  const longAgo = new Date(Date.now() - 20 * 60_000);
  const stale = await holdBooking(
    at(platform, longAgo),
    {
      roomId: S02,
      start,
      durationMinutes: 60,
      partySize: 2,
      guestId: guest.userId,
      memberLevel: 'regular',
      guestName: null,
      guestPhone: null,
    },
    { userId: guest.userId, staff: false },
    {},
  );
  await runner.catchUp();
  t.ok(
    (await available({ start: iso(start), durationMinutes: 60, partySize: 2 })).some((o) => o.roomId === S02),
    'offered while the stale hold is still on record',
  );
  t.equal(await expireHold(platform, stale.bookingId), true);
  await runner.catchUp();
  t.ok(
    (await available({ start: iso(start), durationMinutes: 60, partySize: 2 })).some((o) => o.roomId === S02),
    'and after its expiry is recorded',
  );
});

t.test('rooms out of service are not offered; the change reaches cached answers', async (t) => {
  const start = venue.at(6, '14:00');
  t.ok((await available({ start: iso(start), durationMinutes: 60, partySize: 2 })).some((o) => o.roomId === S03));
  const out = await call(app, {
    method: 'POST',
    url: `/rooms/${S03}/out-of-service`,
    headers: venue.manager.auth,
    payload: { reason: 'screen broken' },
  });
  t.equal(out.status, 200);
  t.ok(
    await settle(async () => !(await available({ start: iso(start), durationMinutes: 60, partySize: 2 })).some((o) => o.roomId === S03)),
  );
  await call(app, { method: 'POST', url: `/rooms/${S03}/return-to-service`, headers: venue.manager.auth, payload: {} });
  t.ok(
    await settle(async () => (await available({ start: iso(start), durationMinutes: 60, partySize: 2 })).some((o) => o.roomId === S03)),
    'and back in service',
  );
});

t.test('members see their discount', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const raised = await call(app, {
    method: 'POST',
    url: `/users/${guest.userId}/membership`,
    headers: venue.manager.auth,
    payload: { level: 'gold', reason: 'regular' },
  });
  t.equal(raised.status, 200);
  const query = { start: iso(venue.at(7, '20:00')), durationMinutes: 120, partySize: 2, type: 'small' };
  const anonymous = await available(query);
  const gold = await available(query, guest.auth);
  t.ok(gold[0]!.price.total < anonymous[0]!.price.total, `gold ${gold[0]!.price.total} < regular ${anonymous[0]!.price.total}`);
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: gold[0]!.roomId, start: query.start, durationMinutes: 120, partySize: 2 },
  });
  t.equal(held.body.price.total, gold[0]!.price.total, 'a hold gets the member price it was offered');
  const forThem = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: venue.waiter.auth,
    payload: { roomId: gold[1]!.roomId, start: query.start, durationMinutes: 120, partySize: 2, guestId: guest.userId },
  });
  t.equal(forThem.body.price.total, gold[1]!.price.total, 'and so does one staff make for them');
});

t.test('bad queries: 422 problem+json naming the field', async (t) => {
  const start = iso(venue.at(3, '20:00'));
  const bad: Record<string, string>[] = [
    { start: 'tomorrow', durationMinutes: '60', partySize: '2' },
    { start, durationMinutes: '0', partySize: '2' },
    { start, durationMinutes: '1441', partySize: '2' },
    { start, durationMinutes: '60', partySize: '0' },
    { start, durationMinutes: '60', partySize: 'many' },
    { start, durationMinutes: '60' },
    { start, durationMinutes: '60', partySize: '2', maxPrice: '-1' },
    { start, durationMinutes: '60', partySize: '2', color: 'red' },
  ];
  for (const q of bad) {
    const r = await call(app, { method: 'GET', url: `/availability?${new URLSearchParams(q)}` });
    t.equal(r.status, 422, JSON.stringify(q));
    t.match(r.headers['content-type'], /application\/problem\+json/);
    t.equal(r.body.code, 'validation_failed');
  }
  const past = await call(app, {
    method: 'GET',
    url: `/availability?${new URLSearchParams({ start: iso(new Date(Date.now() - 86_400_000)), durationMinutes: '60', partySize: '2' })}`,
  });
  t.equal(past.status, 422, 'in the past');
});

t.test("a room's schedule: reservations and the free gaps between them, for staff", async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: M02, start: iso(venue.at(8, '20:00')), durationMinutes: 60, partySize: 5 },
  });
  t.equal(held.status, 201);
  await runner.catchUp();
  const date = held.body.businessDate as string;
  const r = await call(app, { method: 'GET', url: `/rooms/${M02}/schedule?date=${date}`, headers: venue.waiter.auth });
  t.equal(r.status, 200);
  t.same(
    r.body.reservations.map((x: { bookingId: string }) => x.bookingId),
    [held.body.id],
  );
  t.same(
    r.body.free,
    [
      { start: r.body.opensAt, end: iso(venue.at(8, '20:00')) },
      { start: iso(venue.at(8, '21:15')), end: r.body.closesAt },
    ],
    'free until 20:00 and from 21:15, after cleaning',
  );
  t.equal(
    (await call(app, { method: 'GET', url: `/rooms/${M02}/schedule?date=${date}`, headers: guest.auth })).status,
    403,
    'guests do not see room schedules',
  );
  t.equal((await call(app, { method: 'GET', url: `/rooms/nope/schedule?date=${date}`, headers: venue.waiter.auth })).status, 404);
  t.equal((await call(app, { method: 'GET', url: `/rooms/${M02}/schedule?date=someday`, headers: venue.waiter.auth })).status, 422);
});
