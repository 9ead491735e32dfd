import t, { type Test } from 'tap';
import http from 'node:http';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { until } from '../helpers/until.js';
import { at } from '../helpers/clock.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { deliver, webhookJobs } from '../../src/webhooks/delivery.js';

type Received = { headers: http.IncomingHttpHeaders; body: string };

/** A subscriber's endpoint on loopback: records each request and answers the next status queued (200 when none). */
async function receiver(t: Test) {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/ktv-events`, received, answers };
}

t.test('signed webhooks for booking and payment events: retries, the delivery log, redelivery', async (t) => {
  const { app, platform, runner } = await startTestService(t);
  const venue = await setUpVenue(app, platform, dayEndFarFromNow());
  const admin = await signUp(app, platform.store, 'admin');
  const guest = await signUp(app, platform.store, 'guest');
  const hook = await receiver(t);

  const refused = await call(app, {
    method: 'POST',
    url: '/webhooks/subscriptions',
    headers: venue.manager.auth,
    payload: { url: hook.url },
  });
  t.equal(refused.status, 403, 'only admins manage webhooks');
  const bad = await call(app, {
    method: 'POST',
    url: '/webhooks/subscriptions',
    headers: admin.auth,
    payload: { url: 'ftp://x', events: ['Nope'] },
  });
  t.equal(bad.status, 422, 'a bad URL or event type is refused');

  const subscribed = await call(app, {
    method: 'POST',
    url: '/webhooks/subscriptions',
    headers: admin.auth,
    payload: { url: hook.url, events: ['BookingHeld', 'BookingConfirmed', 'PaymentSucceeded'] },
  });
  t.equal(subscribed.status, 201);
  const { id: subscriptionId, secret } = subscribed.body as { id: string; secret: string };
  t.match(secret, /^whsec_/, 'the secret, shown once');
  const listed = await call(app, { method: 'GET', url: '/webhooks/subscriptions', headers: admin.auth });
  t.notOk(JSON.stringify(listed.body).includes(secret), 'and never listed');

  // A hold, paid: three events the subscriber wants. Its first answer is a 500.
  const start = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000).toISOString();
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: venue.rooms.small[0], start, durationMinutes: 60, partySize: 2 },
  });
  const paid = await call(app, { method: 'POST', url: `/bookings/${held.body.id}/payments`, headers: guest.auth });
  await call(app, { method: 'POST', url: (paid.body as { sandboxCompleteUrl: string }).sandboxCompleteUrl });
  await runner.catchUp();
  hook.answers.push(500);

  const jobs = webhookJobs(platform);
  await platform.jobs.start(jobs.handlers, jobs.sweeps, 100);
  const log = async (query = '') =>
    (await call(app, { method: 'GET', url: `/webhooks/deliveries?subscriptionId=${subscriptionId}${query}`, headers: admin.auth }))
      .body as {
      id: string;
      type: string;
      status: string;
      attempts: number;
      lastStatus: number | null;
    }[];
  await until(async () => (await log()).every((d) => d.attempts > 0));
  const first = await log();
  t.same(first.map((d) => d.type).sort(), ['BookingConfirmed', 'BookingHeld', 'PaymentSucceeded'], 'one delivery per wanted event');
  const failed = first.find((d) => d.status === 'pending');
  t.match(failed, { attempts: 1, lastStatus: 500 }, 'the refused one waits for its retry');
  t.equal(first.filter((d) => d.status === 'delivered').length, 2, 'the others are delivered');

  for (const r of hook.received) {
    const header = String(r.headers['ktv-signature']);
    t.ok(verifySignature(secret, header, r.body, new Date()), `${String(r.headers['ktv-event-type'])}: the signature verifies`);
    t.notOk(verifySignature(secret, header, r.body.replace('}', ',"x":1}'), new Date()), 'not over another body');
    t.notOk(verifySignature('whsec_other', header, r.body, new Date()), 'nor with another secret');
    t.notOk(verifySignature(secret, header, r.body, new Date(Date.now() + 600_000)), 'nor ten minutes later (a replay)');
    const body = JSON.parse(r.body) as { id: string; type: string; data: { bookingId: string } };
    t.equal(body.id, r.headers['ktv-webhook-id'], 'the body names its delivery');
    t.equal(body.data.bookingId, held.body.id, 'and carries the event');
  }

  // The retry is due 30 s later: run it as the job would then.
  await deliver(at(platform, new Date(Date.now() + 31_000)), failed!.id);
  t.match(
    (await log()).find((d) => d.id === failed!.id),
    { status: 'delivered', attempts: 2, lastStatus: 200 },
    'the retry delivers',
  );

  const count = hook.received.length;
  const again = await call(app, { method: 'POST', url: `/webhooks/deliveries/${failed!.id}/redeliver`, headers: admin.auth });
  t.equal(again.status, 202, 'an admin sends it again');
  await until(() => hook.received.length > count);
  t.equal(hook.received.at(-1)?.headers['ktv-webhook-id'], failed!.id, 'the same delivery, signed afresh');
  t.equal(
    (await call(app, { method: 'POST', url: `/webhooks/deliveries/${crypto.randomUUID()}/redeliver`, headers: admin.auth })).status,
    404,
  );

  const before = await log();
  await runner.rebuild('webhook_outbox');
  t.same(await log(), before, 'rebuilding the outbox from zero queues nothing twice');

  t.equal((await call(app, { method: 'DELETE', url: `/webhooks/subscriptions/${subscriptionId}`, headers: admin.auth })).status, 204);
  t.equal((await call(app, { method: 'DELETE', url: '/webhooks/subscriptions/nope', headers: admin.auth })).status, 404);
  await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: venue.rooms.small[1], start, durationMinutes: 60, partySize: 2 },
  });
  await runner.catchUp();
  t.equal((await log()).length, 3, 'an ended subscription is sent nothing more');
});

t.test('a subscriber that never answers is given up after the last attempt', async (t) => {
  const { app, platform, runner } = await startTestService(t);
  const venue = await setUpVenue(app, platform, dayEndFarFromNow());
  const admin = await signUp(app, platform.store, 'admin');
  const hook = await receiver(t);
  hook.answers.push(...Array<number>(20).fill(503));
  await call(app, {
    method: 'POST',
    url: '/webhooks/subscriptions',
    headers: admin.auth,
    payload: { url: hook.url, events: ['BookingHeld'] },
  });
  const start = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000).toISOString();
  await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: venue.waiter.auth,
    payload: { roomId: venue.rooms.small[0], start, durationMinutes: 60, partySize: 2, guestName: 'Walk', guestPhone: '13800000000' },
  });
  await runner.catchUp();
  const [row] = await platform.db.selectFrom('webhook_deliveries').select('id').execute();
  t.ok(row, 'queued');
  let now = Date.now();
  for (let i = 0; i < 8; i++) {
    await deliver(at(platform, new Date(now)), row!.id);
    now += 7 * 3600_000;
  }
  const final = await platform.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', row!.id).executeTakeFirstOrThrow();
  t.match(final, { status: 'failed', attempts: 8, last_status: 503 });
  t.equal(hook.received.length, 8, 'eight attempts, then no more');
});
