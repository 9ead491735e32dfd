import t from 'tap';
import type { AddressInfo } from 'node:net';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { until } from '../helpers/until.js';
import { openEvents } from '../helpers/sse.js';
import * as features from '../../src/root/features.js';
import { offerWaitingGuests } from '../../commands/waitlist/offers.js';

/** GET /me/events over real sockets: a ticket opens it, and a guest hears their queued hold decided and their waitlist offer. */
const { app, platform, runner, databaseUrl } = await startTestService(t, { redis: true });
const venue = await setUpVenue(app, platform);
const small = venue.rooms.small;
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const iso = (d: Date) => d.toISOString();
const post = (auth: Record<string, string>, url: string, payload?: object, headers: Record<string, string> = {}) =>
  call(app, { method: 'POST', url, headers: { ...auth, ...headers }, ...(payload ? { payload } : {}) });
const ticketFor = async (auth: Record<string, string>) => {
  const r = await post(auth, '/me/event-tickets');
  return r.body.ticket as string;
};
const streamOf = async (auth: Record<string, string>) => {
  const s = await openEvents(`${base}/me/events?ticket=${await ticketFor(auth)}`, {});
  t.teardown(() => s.close());
  return s;
};
const parsed = (data: string) => JSON.parse(data) as Record<string, unknown>;

t.test('a ticket opens the stream; no ticket is 422, an unknown one 401, a ticket needs a sign-in', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const issued = await post(guest.auth, '/me/event-tickets');
  t.equal(issued.status, 201);
  t.match(issued.body, { ticket: /^[A-Za-z0-9_-]{32}$/, expiresIn: 30 });
  t.equal((await post({}, '/me/event-tickets')).status, 401);
  t.equal((await call(app, { method: 'GET', url: '/me/events' })).status, 422, 'no ticket: validation_failed');
  for (const headers of [{}, guest.auth]) {
    const r = await call(app, { method: 'GET', url: '/me/events?ticket=nope', headers });
    t.equal(r.status, 401, 'an unknown ticket, with or without a token');
    t.equal(r.body.code, 'invalid_ticket');
  }
  const s = await openEvents(`${base}/me/events?ticket=${issued.body.ticket as string}`, {});
  t.equal(s.status, 200);
  t.ok(await until(() => s.raw().startsWith('retry: 1000')));
  const again = await openEvents(`${base}/me/events?ticket=${issued.body.ticket as string}`, {});
  t.equal(again.status, 200, 'a ticket serves a reconnect within its time');
  for (const x of [s, again]) x.close();
});

t.test('a queued hold: its guest hears the outcome, held or refused; another guest hears nothing', async (t) => {
  const first = await signUp(app, platform.store, 'guest');
  const second = await signUp(app, platform.store, 'guest');
  const bystander = await signUp(app, platform.store, 'guest');
  const [s1, s2, s3] = [await streamOf(first.auth), await streamOf(second.auth), await streamOf(bystander.auth)];
  const slot = { roomId: small[0], start: iso(venue.at(3, '20:00')), durationMinutes: 120, partySize: 2 };
  const a1 = await post(first.auth, '/bookings', slot, { prefer: 'respond-async' });
  const a2 = await post(second.auth, '/bookings', slot, { prefer: 'respond-async' });
  t.equal(a1.status, 202);
  t.equal(a2.status, 202);
  await platform.admission.start(features.admissionWorker(platform));
  t.ok(await until(() => s1.events.length > 0 && s2.events.length > 0, { timeoutMs: 30_000 }));
  t.equal(s1.events[0]!.event, 'booking-request');
  t.same(parsed(s1.events[0]!.data), { id: a1.body.id, status: 'held', bookingId: a1.body.id });
  t.equal(s2.events[0]!.event, 'booking-request');
  t.match(parsed(s2.events[0]!.data), { id: a2.body.id, status: 'refused', problem: { status: 409, code: 'slot_taken' } });
  const polled = await call(app, { method: 'GET', url: `/booking-requests/${a2.body.id}`, headers: second.auth });
  t.same(parsed(s2.events[0]!.data), polled.body, 'the same object GET /booking-requests/:id answers');
  t.equal(s3.events.length, 0, 'nothing for another guest');
});

t.test('a waitlist offer reaches the guest waiting', async (t) => {
  const start = venue.at(4, '20:00');
  const holders = await Promise.all(small.map(() => signUp(app, platform.store, 'guest')));
  const holds = [];
  for (const [i, roomId] of small.entries())
    holds.push(await post(holders[i]!.auth, '/bookings', { roomId, start: iso(start), durationMinutes: 60, partySize: 2 }));
  const waiting = await signUp(app, platform.store, 'guest');
  const s = await streamOf(waiting.auth);
  const joined = await post(waiting.auth, '/waitlist', { start: iso(start), durationMinutes: 60, partySize: 2, type: 'small' });
  t.equal(joined.status, 201);
  await post(holders[0]!.auth, `/bookings/${holds[0]!.body.id}/cancel`);
  await runner.catchUp();
  t.equal(await offerWaitingGuests(platform), 1);
  t.ok(await until(() => s.events.length > 0));
  t.equal(s.events[0]!.event, 'waitlist');
  t.same(parsed(s.events[0]!.data), { id: joined.body.id, status: 'offered', bookingId: joined.body.id });
});

t.test('decided on one instance, heard on a stream held by another (Redis pub/sub)', async (t) => {
  const b = await startTestService(t, { redis: true, databaseUrl });
  await b.app.listen({ port: 0, host: '127.0.0.1' });
  const guest = await signUp(app, platform.store, 'guest');
  const ticket = (await post(guest.auth, '/me/event-tickets')).body.ticket as string;
  const s = await openEvents(`http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}/me/events?ticket=${ticket}`, {});
  t.teardown(() => s.close());
  t.equal(s.status, 200, "instance B accepts instance A's ticket (kept in Redis)");
  const queued = await post(
    guest.auth,
    '/bookings',
    { roomId: small[1], start: iso(venue.at(6, '20:00')), durationMinutes: 60, partySize: 2 },
    {
      prefer: 'respond-async',
    },
  );
  t.equal(queued.status, 202);
  t.ok(await until(() => s.events.length > 0, { timeoutMs: 30_000 }), "instance A's worker decided; B's stream heard");
  t.same(parsed(s.events[0]!.data), { id: queued.body.id, status: 'held', bookingId: queued.body.id });
});
