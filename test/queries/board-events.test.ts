import t from 'tap';
import type { AddressInfo } from 'node:net';
import { startTestService, type TestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { until } from '../helpers/until.js';
import { openEvents, type EventStream } from '../helpers/sse.js';

/** GET /board/events over real sockets: the first snapshot, live changes, resume, heartbeats, and a second instance. */
const a = await startTestService(t, { redis: true });
// The changes are walk-ins of the hour from now.
const venue = await setUpVenue(a.app, a.platform, dayEndFarFromNow());
const auth = venue.waiter.auth;
const [S01, S02] = venue.rooms.small as [string, string];

const urlOf = async (s: TestService) => {
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}/board/events`;
};
const urlA = await urlOf(a);
const post = (url: string, payload?: object) => call(a.app, { method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
type Room = { roomId: string; state: string };
const rooms = (s: EventStream) => s.events.map((e) => ({ id: e.id, ...(JSON.parse(e.data) as Room) }));
const arrived = (s: EventStream, n: number) => until(() => s.events.length >= n, { timeoutMs: 15_000 });

await a.runner.catchUp();

t.test('a new stream starts with every room, then each change as one room event', async (t) => {
  const s = await openEvents(urlA, auth);
  t.teardown(() => s.close());
  t.equal(s.status, 200);
  t.ok(await arrived(s, 6), 'one event per room');
  t.same(new Set(rooms(s).map((r) => r.roomId)).size, 6);
  t.ok(
    s.events.every((e) => e.event === 'room' && /^\d+\.\d+$/.test(e.id ?? '')),
    'event: room, with an id of the form <feed position>.<n>',
  );

  const w = await post('/walk-ins', { roomId: S01, partySize: 2, durationMinutes: 60 });
  t.equal(w.status, 201);
  await a.runner.catchUp();
  t.ok(await arrived(s, 7));
  t.match(rooms(s)[6], { roomId: S01, state: 'occupied', booking: { id: w.body.id } });
  t.equal(s.events.length, 7, 'the walk-in changed one room');
  const board = (await call(a.app, { method: 'GET', url: '/board', headers: auth })).body as { rooms: object[] };
  const shown = (await call(a.app, { method: 'GET', url: '/board', headers: auth })).raw;
  t.ok(shown.includes(s.events[6]!.data), 'the event carries the room exactly as GET /board shows it, byte for byte');
  t.ok(board.rooms.length === 6);

  t.ok(await until(() => s.raw().includes(': keep-alive\n\n'), { timeoutMs: 20_000 }), 'a comment line keeps the idle stream open');
});

t.test('Last-Event-ID resumes with every change after it, none twice', async (t) => {
  const first = await openEvents(urlA, auth);
  t.ok(await arrived(first, 6));
  const resumeFrom = first.events.at(-1)!.id!;
  first.close();

  // While the client is away: a walk-in, its check-out, cleaned.
  const w = await post('/walk-ins', { roomId: S02, partySize: 2, durationMinutes: 60 });
  await post(`/bookings/${w.body.id}/check-out`, { settlement: 'cash' });
  await post(`/rooms/${S02}/cleaned`);
  await a.runner.catchUp();

  const again = await openEvents(urlA, { ...auth, 'last-event-id': resumeFrom });
  t.teardown(() => again.close());
  t.ok(await arrived(again, 3));
  t.same(
    rooms(again).map((r) => [r.roomId, r.state]),
    [
      [S02, 'occupied'],
      [S02, 'cleaning'],
      [S02, 'free'],
    ],
    'exactly the changes missed, in order',
  );
  // And the next live change comes after them, once.
  await post(`/rooms/${S02}/out-of-service`, { reason: 'repairs' });
  await a.runner.catchUp();
  t.ok(await arrived(again, 4));
  t.same(
    rooms(again).map((r) => r.state),
    ['occupied', 'cleaning', 'free', 'out_of_service'],
  );
  const ids = again.events.map((e) => e.id);
  t.equal(new Set(ids).size, ids.length, 'no id twice');

  const fromLast = await openEvents(urlA, { ...auth, 'last-event-id': ids.at(-1)! });
  t.teardown(() => fromLast.close());
  await post(`/rooms/${S02}/return-to-service`);
  await a.runner.catchUp();
  t.ok(await arrived(fromLast, 1));
  t.same(
    rooms(fromLast).map((r) => r.state),
    ['free'],
    'resuming from the newest id sends only what comes after',
  );
});

t.test('a change decided on one instance reaches a subscriber of another through Redis', async (t) => {
  // The second instance never reads the log unprompted here, so only the pub/sub message can wake it.
  const b = await startTestService(t, { redis: true, databaseUrl: a.databaseUrl, env: { BOARD_RESYNC_MS: '3600000' } });
  const urlB = await urlOf(b);
  const s = await openEvents(urlB, auth);
  t.teardown(() => s.close());
  t.ok(await arrived(s, 6));
  const w = await post('/walk-ins', { roomId: venue.rooms.medium[0]!, partySize: 6, durationMinutes: 60 });
  t.equal(w.status, 201);
  await a.runner.catchUp(); // instance A applies the batch and announces it
  t.ok(await arrived(s, 7), 'instance B pushed it');
  t.match(rooms(s)[6], { roomId: venue.rooms.medium[0], state: 'occupied' });
});

t.test('without a staff token: 401, as problem+json', async (t) => {
  const s = await openEvents(urlA, {});
  t.equal(s.status, 401);
  s.close();
});
