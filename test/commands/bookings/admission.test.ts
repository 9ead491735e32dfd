import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startTestService } from '../../helpers/service.js';
import { call } from '../../helpers/http.js';
import { signUp } from '../../helpers/auth.js';
import { guestHoldInput, setUpVenue } from '../../helpers/venue.js';
import { until } from '../../helpers/until.js';
import * as features from '../../../src/root/features.js';
import { admitHold } from '../../../commands/bookings/admission.js';
import { businessDateOf } from '../../../domain/venue/settings.js';
import { demoVenue } from '../../../src/root/demo/rate-card.js';
import { addMinutes } from '../../../src/clock.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const [S01, S02, S03] = venue.rooms.small as [string, string, string];
const [M01] = venue.rooms.medium as [string, string];

const iso = (d: Date) => d.toISOString();
const hold = (auth: Record<string, string>, payload: object, prefer = 'respond-async') =>
  call(app, { method: 'POST', url: '/bookings', headers: { ...auth, ...(prefer ? { prefer } : {}) }, payload });
const requestOf = (auth: Record<string, string>, id: string) => call(app, { method: 'GET', url: `/booking-requests/${id}`, headers: auth });
const outcome = async (auth: Record<string, string>, id: string) => {
  let last = await requestOf(auth, id);
  await until(async () => (last = await requestOf(auth, id)).body?.status !== 'queued', { timeoutMs: 30_000 });
  return last;
};

t.test('queued before the worker runs: 202 with Location and a place in line; then FIFO per room-day', async (t) => {
  const guests = await Promise.all(Array.from({ length: 5 }, () => signUp(app, platform.store, 'guest')));
  const slot = { roomId: S01, start: iso(venue.at(3, '20:00')), durationMinutes: 120, partySize: 2 };
  const answers = [];
  for (const g of guests) answers.push(await hold(g.auth, slot));
  for (const a of answers) {
    t.equal(a.status, 202);
    t.equal(a.headers.location, `/booking-requests/${a.body.id}`);
    t.equal(a.headers['preference-applied'], 'respond-async');
    t.equal(a.body.status, 'queued');
  }
  t.same(
    answers.map((a) => a.body.position),
    [1, 2, 3, 4, 5],
    'each behind the one before',
  );
  const waiting = await requestOf(guests[2]!.auth, answers[2]!.body.id);
  t.same(waiting.body, { id: answers[2]!.body.id, status: 'queued', position: 3 });
  const metrics = await call(app, { method: 'GET', url: '/metrics' });
  t.match(metrics.raw, /booking_queue_depth 5/);

  await platform.admission.start(features.admissionWorker(platform));
  const outcomes = await Promise.all(answers.map((a, i) => outcome(guests[i]!.auth, a.body.id)));
  t.same(outcomes[0]!.body, { id: answers[0]!.body.id, status: 'held', bookingId: answers[0]!.body.id }, 'the first in line gets the room');
  for (const o of outcomes.slice(1)) {
    t.equal(o.body.status, 'refused');
    t.match(o.body.problem, { status: 409, code: 'slot_taken', type: /slot_taken$/ });
  }
  await runner.catchUp();
  const booking = await call(app, { method: 'GET', url: `/bookings/${answers[0]!.body.id}`, headers: guests[0]!.auth });
  t.equal(booking.status, 200);
  t.equal(booking.body.status, 'held');
  const after = await call(app, { method: 'GET', url: '/metrics' });
  t.match(after.raw, /booking_queue_wait_seconds_count 5/);
  t.match(after.raw, /booking_queue_depth 0/);
});

t.test('a request is its guest’s and staff’s to read; anyone else gets 404', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const other = await signUp(app, platform.store, 'guest');
  const queued = await hold(guest.auth, { roomId: S02, start: iso(venue.at(3, '20:00')), durationMinutes: 60, partySize: 2 });
  t.equal(queued.status, 202);
  t.equal((await outcome(guest.auth, queued.body.id)).body.status, 'held');
  t.equal((await requestOf(other.auth, queued.body.id)).status, 404);
  t.equal((await requestOf(venue.waiter.auth, queued.body.id)).body.status, 'held');
  t.equal((await requestOf(guest.auth, randomUUID())).status, 404);
  t.equal((await requestOf(guest.auth, 'not-an-id')).status, 404);
});

t.test('a queued refusal carries the problem the synchronous answer would have had', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const payload = { roomId: M01, start: iso(venue.at(3, '20:00')), durationMinutes: 60, partySize: 20 };
  const sync = await hold(guest.auth, payload, '');
  const queued = await hold(guest.auth, payload);
  const refused = (await outcome(guest.auth, queued.body.id)).body;
  t.equal(refused.status, 'refused');
  const { instance: _, ...problem } = sync.body;
  t.same(refused.problem, problem);
});

t.test('the first minutes after a release are queued without being asked; later holds are answered at once', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const start = venue.at(9, '20:00');
  const date = businessDateOf(start, demoVenue);
  const schedule = (opensAt: Date) =>
    call(app, { method: 'PUT', url: `/releases/${date}`, headers: venue.manager.auth, payload: { opensAt: iso(opensAt) } });
  t.equal((await schedule(addMinutes(new Date(), -1))).status, 200);
  const payload = { roomId: S03, start: iso(start), durationMinutes: 60, partySize: 2 };
  const queued = await hold(guest.auth, payload, '');
  t.equal(queued.status, 202, 'released a minute ago: queued');
  t.equal((await outcome(guest.auth, queued.body.id)).body.status, 'held');
  t.equal((await schedule(addMinutes(new Date(), -60))).status, 200);
  const sync = await hold(guest.auth, { ...payload, roomId: S02 }, '');
  t.equal(sync.status, 201, 'an hour after the release: answered at once');
});

t.test('a request run twice (a worker that died after deciding) holds once', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const id = randomUUID();
  const input = { ...guestHoldInput(guest.userId, S01, venue.at(4, '12:00')), start: iso(venue.at(4, '12:00')) };
  const request = {
    id,
    owner: guest.userId,
    group: 'g',
    payload: { input, actor: { userId: guest.userId, staff: false }, metadata: { actor: guest.userId } },
    enqueuedAt: Date.now(),
  };
  const first = await admitHold(platform)(request);
  const second = await admitHold(platform)(request);
  t.same(first, { status: 'held', bookingId: id });
  t.same(second, first);
  const { rows } = await platform.pool.query<{ event_type: string; n: number }>(
    `SELECT event_type, count(*)::int AS n FROM events WHERE data->>'bookingId' = $1 GROUP BY event_type ORDER BY event_type`,
    [id],
  );
  t.same(rows, [
    { event_type: 'BookingHeld', n: 1 },
    { event_type: 'GuestHoldOpened', n: 1 },
    { event_type: 'RoomTimeReserved', n: 1 },
  ]);
});
