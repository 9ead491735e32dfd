import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';

const { app, platform, runner } = await startTestService(t);
// The desk's work is on walk-ins of the hour from now.
const { manager, waiter, rooms } = await setUpVenue(app, platform, dayEndFarFromNow());
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });

t.test('the desk audit names who did each step of a night, from the events they recorded', async (t) => {
  const beer = (await post('/products', manager.auth, { name: 'Beer', category: 'drinks', unit: 'bottle', price: 1500 })).body.id as string;
  const walkIn = await post('/walk-ins', waiter.auth, { roomId: rooms.small[0], durationMinutes: 60, partySize: 2 });
  t.equal(walkIn.status, 201, walkIn.raw);
  const booking = walkIn.body.id as string;
  t.equal((await post(`/bookings/${booking}/orders`, waiter.auth, { items: [{ productId: beer, quantity: 2 }] })).status, 201);
  t.equal(
    (await post(`/bookings/${booking}/adjustments`, manager.auth, { kind: 'discount', amount: 500, reason: 'regulars' })).status,
    201,
  );
  const out = await post(`/bookings/${booking}/check-out`, waiter.auth, { settlement: 'cash' });
  t.equal(out.status, 200, out.raw);
  await runner.catchUp();

  const trail = await call(app, { method: 'GET', url: `/audit/desk?bookingId=${booking}`, headers: manager.auth });
  t.equal(trail.status, 200, trail.raw);
  const steps = (trail.body as { type: string; actor: { id: string; name: string | null }; amount: number | null }[]).reverse();
  const waiterName = 'Test waiter';
  t.match(steps, [
    { type: 'WalkInStarted', actor: { id: waiter.userId, name: waiterName } },
    { type: 'OrderPlaced', actor: { id: waiter.userId }, amount: 3000 },
    { type: 'BillAdjusted', actor: { id: manager.userId, name: 'Test manager' }, amount: 500, approvedBy: manager.userId },
  ]);
  t.ok(
    steps.some((s) => s.type === 'BookingCheckedOut' && s.actor.id === waiter.userId),
    'check-out by the waiter',
  );
  t.ok(
    steps.some((s) => s.type === 'PaymentSucceeded'),
    'the cash payment taken at check-out',
  );

  const byWaiter = await call(app, { method: 'GET', url: `/audit/desk?actor=${waiter.userId}&type=OrderPlaced`, headers: manager.auth });
  t.same(
    byWaiter.body.map((r: { bookingId: string }) => r.bookingId),
    [booking],
  );
  const window = await call(app, {
    method: 'GET',
    url: `/audit/desk?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`,
    headers: manager.auth,
  });
  t.same(window.body, [], 'nothing after the window starts');
});

t.test('the desk audit is for managers and admins; bad queries are 4xx', async (t) => {
  t.equal((await call(app, { method: 'GET', url: '/audit/desk', headers: waiter.auth })).status, 403);
  const admin = await signUp(app, platform.store, 'admin');
  t.equal((await call(app, { method: 'GET', url: '/audit/desk', headers: admin.auth })).status, 200);
  for (const q of ['limit=0', 'limit=x', 'from=yesterday', 'colour=red']) {
    const r = await call(app, { method: 'GET', url: `/audit/desk?${q}`, headers: manager.auth });
    t.equal(r.status, 422, q);
  }
});
