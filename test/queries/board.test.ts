import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { until } from '../helpers/until.js';
import { signUp } from '../helpers/auth.js';
import { tickFloorClock } from '../../commands/floor/clock.js';
import { boardDueBy } from '../../queries/board/due.js';
import { readModelsOf } from '../../projections/read-models.js';
import { addMinutes } from '../../src/clock.js';
import { sql } from 'kysely';

const { app, platform, runner } = await startTestService(t);
// The board's changes are walk-ins and bookings a few hours from now.
const venue = await setUpVenue(app, platform, dayEndFarFromNow());
const auth = venue.waiter.auth;
const [S01, S02, S03] = venue.rooms.small as [string, string, string];
const [M01] = venue.rooms.medium as [string];

type Room = {
  roomId: string;
  name: string;
  state: string;
  booking: { id: string; status: string; partySize: number } | null;
  next: unknown;
  since: string;
};
const board = async () => (await call(app, { method: 'GET', url: '/board', headers: auth })).body as { asOf: string; rooms: Room[] };
const room = async (id: string) => (await board()).rooms.find((r) => r.roomId === id);
/** Projections run, then this instance's feed reads the change (it is told through the news, asynchronously). */
const settled = async (id: string, check: (r: Room | undefined) => boolean) => {
  await runner.catchUp();
  return until(async () => {
    const r = await room(id);
    return check(r) ? r : undefined;
  });
};
const quarter = (from: Date, minutesAhead: number) => new Date(Math.ceil((from.getTime() + minutesAhead * 60_000) / 900_000) * 900_000);
const post = (url: string, payload?: object) => call(app, { method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });

t.test('GET /board lists every room, free, in the documented shape; guests may not see it', async (t) => {
  const first = await settled(S01, (r) => r?.state === 'free');
  t.ok(first);
  const b = await board();
  t.equal(b.rooms.length, 6, 'every room');
  t.same(
    b.rooms.map((r) => r.name),
    ['L01', 'M01', 'M02', 'S01', 'S02', 'S03'],
  );
  t.match(b.rooms[3], { roomId: S01, name: 'S01', type: 'small', capacity: 4, state: 'free', booking: null, next: null, since: String });
  t.ok(Date.parse(b.asOf) > 0);
  const guest = await signUp(app, platform.store, 'guest');
  t.equal((await call(app, { method: 'GET', url: '/board', headers: guest.auth })).status, 403);
  t.equal((await call(app, { method: 'GET', url: '/board' })).status, 401);
});

t.test('a walk-in is occupied, a check-out is cleaning, cleaned is free again; out of service wins', async (t) => {
  const w = await post('/walk-ins', { roomId: S02, partySize: 3, durationMinutes: 60 });
  t.equal(w.status, 201);
  const occupied = await settled(S02, (r) => r?.state === 'occupied');
  t.match(occupied?.booking, { id: w.body.id, status: 'checked_in', partySize: 3 });
  t.notOk(occupied && 'openTiming' in occupied.booking!, 'a walk-in for a set time has the five documented fields');
  t.equal((await post(`/bookings/${w.body.id}/check-out`, { settlement: 'cash' })).status, 200);
  const cleaning = await settled(S02, (r) => r?.state === 'cleaning');
  t.equal(cleaning?.booking, null, 'nobody is in the room or coming');
  t.equal((await post(`/rooms/${S02}/cleaned`)).status, 200);
  t.ok(await settled(S02, (r) => r?.state === 'free'));
  t.equal((await post(`/rooms/${S02}/out-of-service`, { reason: 'microphone broken' })).status, 200);
  t.ok(await settled(S02, (r) => r?.state === 'out_of_service'));
  t.equal((await post(`/rooms/${S02}/return-to-service`)).status, 200);
  t.ok(await settled(S02, (r) => r?.state === 'free'));
});

t.test('a booking inside the reserved window shows its room reserved with the party coming', async (t) => {
  const start = quarter(new Date(), 30);
  const hold = await post('/bookings', { roomId: M01, start: start.toISOString(), durationMinutes: 60, partySize: 6 });
  t.equal(hold.status, 201, JSON.stringify(hold.body));
  const r = await settled(M01, (x) => x?.state === 'reserved');
  t.match(r?.booking, { id: hold.body.id, status: 'held', partySize: 6 });
});

t.test('changes from the clock alone: the window opening, overtime, a hold running out', async (t) => {
  const ctx = { store: platform.store, clock: platform.clock, due: boardDueBy(readModelsOf(platform.pool)) };

  // A booking three hours ahead, confirmed at the desk: free now, reserved once the 60-minute window opens.
  const start = quarter(new Date(), 180);
  const booked = await post('/bookings', { roomId: S03, start: start.toISOString(), durationMinutes: 60, partySize: 2 });
  t.equal(booked.status, 201, JSON.stringify(booked.body));
  t.equal((await post(`/bookings/${booked.body.id}/confirm`, { method: 'cash' })).status, 200);
  const before = await settled(S03, (x) => x?.booking?.status === 'confirmed');
  t.equal(before?.state, 'free', 'outside the window');
  t.notOk(await tickFloorClock(ctx, new Date()), 'nothing is due now: no tick recorded');
  t.ok(await tickFloorClock(ctx, addMinutes(start, -60)), 'the window opens: a tick is recorded');
  t.notOk(await tickFloorClock(ctx, addMinutes(start, -60)), 'the same minute is recorded once');
  const opened = await settled(S03, (x) => x?.state === 'reserved');
  t.equal(opened?.since, addMinutes(start, -60).toISOString(), 'since the minute the window opened');
  const logged = await readModelsOf(platform.pool)
    .selectFrom('board_changes')
    .select('room_id')
    .where('at', '=', addMinutes(start, -60))
    .execute();
  t.same(
    logged.map((r) => r.room_id).sort(),
    [S03, M01].sort(),
    'the tick logs the rooms that changed (S03, and M01 whose unpaid hold ran out meanwhile) and no other',
  );

  // A hold inside the window that is never paid: at its expiry the room is free again, with nobody coming.
  const soon = quarter(new Date(), 30);
  const hold = await post('/bookings', { roomId: S02, start: soon.toISOString(), durationMinutes: 60, partySize: 2 });
  t.equal(hold.status, 201, JSON.stringify(hold.body));
  t.ok(await settled(S02, (x) => x?.state === 'reserved' && x.booking?.id === hold.body.id));
  t.ok(await tickFloorClock(ctx, addMinutes(new Date(hold.body.holdExpiresAt), 1)), 'the hold runs out: a tick');
  t.ok(await settled(S02, (x) => x?.state === 'free' && x.booking === null));

  // A party whose time is up is in overtime.
  const w = await post('/walk-ins', { roomId: S01, partySize: 2, durationMinutes: 60 });
  const occupied = await settled(S01, (x) => x?.state === 'occupied');
  const end = new Date(w.body.end);
  t.ok(occupied);
  t.ok(await tickFloorClock(ctx, addMinutes(end, 1)));
  const over = await settled(S01, (x) => x?.state === 'overtime');
  t.match(over?.booking, { id: w.body.id, status: 'checked_in' });
});

t.test('an open-timed walk-in (no duration) is on the board with `openTiming`, which the staff page reads', async (t) => {
  const M02 = venue.rooms.medium[1]!;
  const w = await post('/walk-ins', { roomId: M02, partySize: 2 });
  t.equal(w.status, 201, JSON.stringify(w.body));
  t.equal(w.body.openTiming, true);
  const occupied = await settled(M02, (x) => x?.state === 'occupied');
  t.same(occupied?.booking, { id: w.body.id, start: w.body.start, end: w.body.end, status: 'checked_in', partySize: 2, openTiming: true });
});

t.test('the board as built event by event equals a rebuild that applies the whole feed in one batch', async (t) => {
  // More of what the floor does, each command applied on its own before the next.
  const [L01] = venue.rooms.large as [string];
  const start = quarter(new Date(), 45);
  const held = await post('/bookings', { roomId: S03, start: start.toISOString(), durationMinutes: 60, partySize: 2 });
  t.equal(held.status, 201, JSON.stringify(held.body));
  await runner.catchUp();
  t.equal((await post(`/bookings/${held.body.id}/move`, { roomId: L01 })).status, 200);
  await runner.catchUp();
  t.equal((await post(`/bookings/${held.body.id}/cancel`)).status, 200);
  await runner.catchUp();
  const walkIn = await post('/walk-ins', { roomId: S03, partySize: 2, durationMinutes: 60 });
  t.equal(walkIn.status, 201, JSON.stringify(walkIn.body));
  await runner.catchUp();
  t.equal((await post(`/bookings/${walkIn.body.id}/check-out`, { settlement: 'cash' })).status, 200);
  await runner.catchUp();

  const dump = async () => {
    const out: Record<string, string[]> = {};
    for (const table of ['board_rooms', 'board_stays', 'board_changes', 'board_settings'])
      out[table] = (await sql`SELECT * FROM rm.${sql.id(table)}`.execute(platform.db)).rows.map((r) => JSON.stringify(r)).sort();
    return out;
  };
  const live = await dump();
  t.ok(live.board_changes!.length > 20, `${live.board_changes!.length} changes logged live`);
  const rebuilt = await runner.rebuild('board');
  t.ok(rebuilt.events > 20, `${rebuilt.events} events in the rebuild`);
  t.same(await dump(), live, 'the same rooms, stays, settings and change log, numbered alike');
});
