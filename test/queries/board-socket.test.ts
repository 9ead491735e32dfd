import t from 'tap';
import type { AddressInfo } from 'node:net';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { until } from '../helpers/until.js';
import { openEvents } from '../helpers/sse.js';
import { openSocket, type BoardSocket } from '../helpers/socket.js';
import { signUp } from '../helpers/auth.js';

/** GET /board/socket over real sockets: subscribe, the same changes and ids as the SSE feed, resume, pings, refusals. */
const a = await startTestService(t, { redis: true });
// The changes are walk-ins of the hour from now.
const venue = await setUpVenue(a.app, a.platform, dayEndFarFromNow());
const auth = venue.waiter.auth;
const [S01, S02] = venue.rooms.small as [string, string];

await a.app.listen({ port: 0, host: '127.0.0.1' });
const base = `127.0.0.1:${(a.app.server.address() as AddressInfo).port}`;
const wsUrl = `ws://${base}/board/socket`;
const post = (url: string, payload?: object) => call(a.app, { method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
const arrived = (s: BoardSocket, n: number) => until(() => s.messages.length >= n, { timeoutMs: 15_000 });
const subscribe = (s: BoardSocket, lastEventId?: string) =>
  s.socket.send(JSON.stringify({ type: 'subscribe', ...(lastEventId ? { lastEventId } : {}) }));

await a.runner.catchUp();

t.test('after subscribe: every room, then each change with the same id and bytes as the SSE feed', async (t) => {
  const s = await openSocket(wsUrl, auth);
  t.teardown(() => s.close());
  t.equal(s.status, 101);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(s.messages.length, 0, 'nothing before subscribe');
  subscribe(s);
  t.ok(await arrived(s, 6), 'one message per room');
  t.equal(new Set(s.messages.map((m) => m.room.roomId)).size, 6);
  t.ok(s.messages.every((m) => m.type === 'room' && /^\d+\.\d+$/.test(m.id)));

  const sse = await openEvents(`http://${base}/board/events`, auth);
  t.teardown(() => sse.close());
  t.ok(await until(() => sse.events.length >= 6));

  const w = await post('/walk-ins', { roomId: S01, partySize: 2, durationMinutes: 60 });
  t.equal(w.status, 201);
  await a.runner.catchUp();
  t.ok(await arrived(s, 7));
  t.ok(await until(() => sse.events.length >= 7));
  const m = s.messages[6]!;
  t.match(m.room, { roomId: S01, state: 'occupied', booking: { id: w.body.id } });
  t.equal(m.id, sse.events[6]!.id, 'the same id as the SSE event');
  t.equal(s.raw[6], `{"type":"room","id":"${m.id}","room":${sse.events[6]!.data}}`, 'the room byte for byte as the SSE event');
});

t.test('subscribe with lastEventId resumes with every change after it, none twice', async (t) => {
  const first = await openSocket(wsUrl, auth);
  subscribe(first);
  t.ok(await arrived(first, 6));
  const resumeFrom = first.messages.at(-1)!.id;
  first.close();

  const w = await post('/walk-ins', { roomId: S02, partySize: 2, durationMinutes: 60 });
  await post(`/bookings/${w.body.id}/check-out`, { settlement: 'cash' });
  await post(`/rooms/${S02}/cleaned`);
  await a.runner.catchUp();

  const again = await openSocket(wsUrl, auth);
  t.teardown(() => again.close());
  subscribe(again, resumeFrom);
  t.ok(await arrived(again, 3));
  await post(`/rooms/${S02}/out-of-service`, { reason: 'repairs' });
  await a.runner.catchUp();
  t.ok(await arrived(again, 4));
  t.same(
    again.messages.map((m) => [m.room.roomId, m.room.state]),
    [
      [S02, 'occupied'],
      [S02, 'cleaning'],
      [S02, 'free'],
      [S02, 'out_of_service'],
    ],
    'exactly the changes missed, then the live one',
  );
  t.equal(new Set(again.messages.map((m) => m.id)).size, 4, 'no id twice');
  await post(`/rooms/${S02}/return-to-service`);
  await a.runner.catchUp();
});

t.test('the server pings, and a client that answers stays connected', async (t) => {
  const s = await openSocket(wsUrl, auth);
  t.teardown(() => s.close());
  subscribe(s);
  let pinged = false;
  s.socket.on('ping', () => (pinged = true));
  t.ok(await until(() => pinged, { timeoutMs: 25_000 }), 'a ping within the heartbeat interval');
  await new Promise((r) => setTimeout(r, 11_000));
  t.equal(s.closed(), null, 'still open after the next ping');
});

t.test('refusals: no token is a 401 before the upgrade; a bad message closes with 1008; a plain GET is 400', async (t) => {
  const anonymous = await openSocket(wsUrl, {});
  t.equal(anonymous.status, 401);
  const guest = await signUp(a.app, a.platform.store, 'guest');
  const customer = await openSocket(wsUrl, guest.auth);
  t.equal(customer.status, 403);

  for (const bad of ['hello', '{"type":"subscribe","lastEventId":"nope"}', '{"type":"unsubscribe"}']) {
    const s = await openSocket(wsUrl, auth);
    s.socket.send(bad);
    t.ok(await until(() => s.closed() !== null), `closed after ${bad}`);
    t.equal(s.closed()!.code, 1008);
  }
  const plain = await call(a.app, { method: 'GET', url: '/board/socket', headers: auth });
  t.equal(plain.status, 400);
  t.equal(plain.body.code, 'upgrade_required');
});
