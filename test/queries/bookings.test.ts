import t from 'tap';
import { sql } from 'kysely';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { businessDateOf, businessDayBounds, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { addDays } from '../../domain/venue/time.js';
import { addMinutes } from '../../src/clock.js';

const { app, platform, runner } = await startTestService(t);
// A stay lived from now and a walk-in sit among the later bookings, so the business day ends far from now.
const dayEnd = dayEndFarFromNow();
const settings = { ...DEFAULT_VENUE, ...dayEnd };
const venue = await setUpVenue(app, platform, dayEnd);
/** `hours` into the business day `daysAhead` from today (14 is the demo's 20:00): never across the day's end. */
const later = (daysAhead: number, hours: number) =>
  addMinutes(businessDayBounds(addDays(businessDateOf(new Date(), settings), daysAhead), settings).start, hours * 60);
const [S01, S02] = venue.rooms.small as [string, string, string];
const [M01] = venue.rooms.medium as [string, string];
const L01 = venue.rooms.large[0]!;
const iso = (d: Date) => d.toISOString();
const post = (url: string, headers: Record<string, string>, payload?: object) =>
  call(app, { method: 'POST', url, headers, ...(payload ? { payload } : {}) });
const get = (url: string, headers: Record<string, string>) => call(app, { method: 'GET', url, headers });

const owner = await signUp(app, platform.store, 'guest');
const other = await signUp(app, platform.store, 'guest');
// The next grid slot from now, so check-in is open.
const soon = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000);

// A day's worth of the booking life, for the read models to follow.
const lived = await post('/bookings', owner.auth, { roomId: M01, start: iso(soon), durationMinutes: 60, partySize: 6 });
await post(`/bookings/${lived.body.id}/confirm`, venue.waiter.auth);
await post(`/bookings/${lived.body.id}/check-in`, venue.waiter.auth);
const extended = await post(`/bookings/${lived.body.id}/extend`, venue.waiter.auth, { minutes: 30 });
const out = await post(`/bookings/${lived.body.id}/check-out`, venue.waiter.auth);
const moved = await post('/bookings', owner.auth, { roomId: S01, start: iso(later(2, 14)), durationMinutes: 120, partySize: 4 });
await post(`/bookings/${moved.body.id}/move`, venue.waiter.auth, { roomId: M01 });
const cancelled = await post('/bookings', owner.auth, { roomId: S02, start: iso(later(2, 14)), durationMinutes: 60, partySize: 2 });
await post(`/bookings/${cancelled.body.id}/cancel`, owner.auth);
const theirs = await post('/bookings', other.auth, { roomId: S02, start: iso(later(2, 15)), durationMinutes: 60, partySize: 2 });
const walkIn = await post('/walk-ins', venue.waiter.auth, { roomId: L01, durationMinutes: 60, partySize: 10, guestName: 'Li' });
await runner.catchUp();

t.test('one booking: its guest and staff see it; another guest gets 404', async (t) => {
  const mine = await get(`/bookings/${lived.body.id}`, owner.auth);
  t.equal(mine.status, 200);
  t.match(mine.body, { id: lived.body.id, roomId: M01, status: 'checked_out', partySize: 6, guestId: owner.userId, walkIn: false });
  t.equal(mine.body.amountPaid, out.body.bill.paid, 'what the bill counts as paid');
  t.equal(mine.body.total, extended.body.price.total, 'the stay costs the room plus the extension');
  t.equal(out.body.bill.refund, 0, 'nothing paid beyond the bill');
  t.same(mine.body.bill, out.body.bill, 'the bill as check-out answered it');
  t.equal(mine.body.end, extended.body.end);
  t.equal(mine.body.businessDate, lived.body.businessDate, 'the business date as YYYY-MM-DD');
  t.equal((await get(`/bookings/${lived.body.id}`, venue.waiter.auth)).status, 200, 'staff see any booking');
  const stranger = await get(`/bookings/${lived.body.id}`, other.auth);
  t.equal(stranger.status, 404, 'no existence leak');
  t.same(stranger.body.code, (await get('/bookings/no-such-booking', other.auth)).body.code, 'the same answer as for an unknown id');
  t.equal((await get(`/bookings/${lived.body.id}`, {})).status, 401);
});

t.test('the read model follows moves, cancels and walk-ins', async (t) => {
  const m = (await get(`/bookings/${moved.body.id}`, owner.auth)).body;
  t.equal(m.roomId, M01);
  t.equal(m.roomTypeId, 'medium');
  t.equal(m.status, 'held');
  t.equal((await get(`/bookings/${cancelled.body.id}`, owner.auth)).body.status, 'cancelled');
  const w = (await get(`/bookings/${walkIn.body.id}`, venue.waiter.auth)).body;
  t.match(w, { status: 'checked_in', walkIn: true, guestName: 'Li', guestId: null });
  const rooms = await sql<{
    room_id: string;
    status: string;
  }>`SELECT room_id, status FROM rm.room_reservations WHERE booking_id = ${moved.body.id} ORDER BY status`.execute(platform.db);
  t.same(
    rooms.rows,
    [
      { room_id: M01, status: 'live' },
      { room_id: S01, status: 'released' },
    ],
    'the old room is released, the new one held',
  );
});

t.test('lists: guests get only their own, staff filter by date, status and room', async (t) => {
  const ids = (r: { body: { id: string }[] }) => r.body.map((b) => b.id).sort();
  t.same(ids(await get('/bookings?mine=1', owner.auth)), [lived.body.id, moved.body.id, cancelled.body.id].sort());
  t.same(ids(await get('/bookings', other.auth)), [theirs.body.id], 'without mine=1 a guest still sees only theirs');
  t.same(ids(await get(`/bookings?roomId=${S02}`, other.auth)), [theirs.body.id], 'filters cannot widen a guest’s view');
  const date = moved.body.businessDate as string;
  t.same(ids(await get(`/bookings?date=${date}`, venue.waiter.auth)), [moved.body.id, cancelled.body.id, theirs.body.id].sort());
  t.same(ids(await get(`/bookings?date=${date}&status=held`, venue.waiter.auth)), [moved.body.id, theirs.body.id].sort());
  t.same(ids(await get(`/bookings?date=${date}&roomId=${S02}&status=cancelled`, venue.waiter.auth)), [cancelled.body.id]);
  const page = await get(`/bookings?date=${date}&limit=2`, venue.waiter.auth);
  t.equal(page.body.length, 2, 'paged');
  t.same(ids(await get('/bookings?mine=1', venue.waiter.auth)), [], 'staff asking for theirs get theirs');
  for (const bad of ['?status=lost', '?date=2026-13-40', '?limit=0', '?limit=1000', '?sort=asc']) {
    const r = await get(`/bookings${bad}`, venue.waiter.auth);
    t.equal(r.status, 422, bad);
    t.match(r.headers['content-type'], /problem\+json/);
  }
});

t.test('the bookings read models equal a rebuild from zero', async (t) => {
  const dump = async () => {
    const out: Record<string, string[]> = {};
    for (const table of ['bookings', 'room_reservations'])
      out[table] = (await sql`SELECT * FROM rm.${sql.id(table)}`.execute(platform.db)).rows.map((r) => JSON.stringify(r)).sort();
    return out;
  };
  const incremental = await dump();
  t.ok(incremental.bookings!.length >= 5);
  await runner.rebuild('bookings');
  t.same(await dump(), incremental);
});

t.test('analysts: occupancy per room and clock hour counts confirmed stays only', async (t) => {
  const start = later(3, 14.5);
  const stay = await post('/bookings', owner.auth, { roomId: L01, start: iso(start), durationMinutes: 90, partySize: 10 });
  t.equal(stay.status, 201);
  await post(`/bookings/${stay.body.id}/confirm`, venue.waiter.auth);
  const hold = await post('/bookings', owner.auth, { roomId: M01, start: iso(start), durationMinutes: 60, partySize: 6 });
  t.equal(hold.status, 201);
  await runner.catchUp();
  const occupancy = async (room: string) =>
    (
      await sql<{ hour_start: Date; occupied_minutes: number }>`
      SELECT hour_start, occupied_minutes FROM rm.occupancy_hourly WHERE room_id = ${room} AND business_date = ${stay.body.businessDate}::date ORDER BY hour_start`.execute(
        platform.db,
      )
    ).rows;
  t.same(
    (await occupancy(L01)).map((r) => [r.hour_start.toISOString(), r.occupied_minutes]),
    [
      [iso(later(3, 14)), 30],
      [iso(later(3, 15)), 60],
    ],
    'a stay from half past an hour for ninety minutes is half of that hour and all of the next',
  );
  t.same(await occupancy(M01), [], 'an unconfirmed hold takes no occupancy');
});

t.test("read your writes by position: a read sent with the hold's Event-Position waits for a late projector", async (t) => {
  const held = await post('/bookings', owner.auth, { roomId: S02, start: iso(later(5, 9)), durationMinutes: 60, partySize: 2 });
  t.equal(held.status, 201);
  const position = held.headers['event-position'];
  t.match(position, /^\d+:\d+$/, 'the command answers with the position of what it appended');
  t.equal((await get(`/bookings/${held.body.id}`, owner.auth)).status, 404, 'without it, a projector this late means a miss');
  // The projector starts a second after the read arrives: twice as late as the fixed 500 ms wait allows.
  const reading = get(`/bookings/${held.body.id}`, { ...owner.auth, 'if-event-position': String(position) });
  await new Promise((r) => setTimeout(r, 1000));
  await runner.catchUp();
  const read = await reading;
  t.equal(read.status, 200, 'with it, the read waits for the projector and finds the booking');
  t.equal(read.body.id, held.body.id);

  const confirmed = await post(`/bookings/${held.body.id}/confirm`, venue.waiter.auth);
  t.match(confirmed.headers['event-position'], /^\d+:\d+$/, 'every command that appends answers with its position');
  const reread = get(`/bookings/${held.body.id}`, { ...owner.auth, 'if-event-position': String(confirmed.headers['event-position']) });
  await new Promise((r) => setTimeout(r, 300));
  await runner.catchUp();
  t.equal((await reread).body.status, 'confirmed', 'and a read after a change waits for the change, not just for the row');

  t.notOk((await get(`/bookings/${held.body.id}`, owner.auth)).headers['event-position'], 'reads append nothing and carry no position');
  const bad = await get(`/bookings/${held.body.id}`, { ...owner.auth, 'if-event-position': 'soon' });
  t.equal(bad.status, 422, 'a malformed position is refused');
});

t.test('read your writes: a booking is found right after it is held, with the projector running', async (t) => {
  await runner.start();
  t.teardown(() => runner.stop());
  for (let i = 0; i < 5; i++) {
    const held = await post('/bookings', owner.auth, {
      roomId: S01,
      start: iso(later(6 + i, 8)),
      durationMinutes: 60,
      partySize: 2,
    });
    t.equal(held.status, 201);
    // By position: the fixed half-second wait alone is not enough on a loaded host.
    const read = await get(`/bookings/${held.body.id}`, { ...owner.auth, 'if-event-position': String(held.headers['event-position']) });
    t.equal(read.status, 200, `hold ${i + 1} is readable at once`);
  }
  // A miss waits up to half a second for the projection only while events are pending. On a busy host
  // one request can take that long by itself, so the quickest of a few is what is compared: it stays
  // well under half a second unless every one of them waited.
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    t.equal((await get('/bookings/never-held', owner.auth)).status, 404);
    times.push(performance.now() - started);
  }
  const quickest = Math.round(Math.min(...times));
  t.ok(quickest < 500, `an unknown id still answers at once when nothing is pending (quickest of 5: ${quickest} ms)`);
});
