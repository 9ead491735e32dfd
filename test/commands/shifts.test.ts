import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const { manager } = venue;
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });

t.test('a shift from float to close: desk payments, a top-up and a refund by method, expected and counted cash', async (t) => {
  const waiter = await signUp(app, platform.store, 'waiter');
  const opened = await post('/shifts', waiter.auth, { openingCash: 50_000 });
  t.equal(opened.status, 201, opened.raw);
  const shiftId = opened.body.shiftId as string;
  t.equal((await post('/shifts', waiter.auth, { openingCash: 1 })).body.code, 'shift_open', 'one shift at a time');

  const guest = await signUp(app, platform.store, 'guest');
  t.equal((await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 100_000, method: 'cash' })).status, 201);
  // A deposit taken in cash at the desk, then the booking cancelled by staff: the cash goes back out of the drawer.
  const held = await post('/bookings', guest.auth, {
    roomId: venue.rooms.small[0],
    start: venue.at(2, '15:00').toISOString(),
    durationMinutes: 60,
    partySize: 2,
  });
  const deposit = held.body.price.deposit as number;
  t.equal((await post(`/bookings/${held.body.id}/confirm`, waiter.auth, { method: 'cash' })).status, 200);
  t.equal((await post(`/bookings/${held.body.id}/cancel`, waiter.auth, { reason: 'guest called' })).status, 200);
  // A walk-in paid by card at check-out.
  const walkIn = await post('/walk-ins', waiter.auth, { roomId: venue.rooms.small[1], durationMinutes: 60, partySize: 2 });
  const out = await post(`/bookings/${walkIn.body.id}/check-out`, waiter.auth, { settlement: 'card' });
  const card = out.body.bill.due as number;
  const expected = 50_000 + 100_000 + deposit - deposit;

  await runner.catchUp();
  const live = await call(app, { method: 'GET', url: '/shifts', headers: waiter.auth });
  t.match(
    live.body,
    [{ shiftId, status: 'open', expectedCash: expected, totals: { byMethod: { card }, refunds: { cash: deposit } } }],
    'the open shift so far',
  );

  const short = await post(`/shifts/${shiftId}/close`, waiter.auth, { countedCash: expected - 500 });
  t.equal(short.status, 422);
  t.equal(short.body.code, 'reason_required', 'a difference needs a reason');
  const closed = await post(`/shifts/${shiftId}/close`, waiter.auth, {
    countedCash: expected - 500,
    reason: 'a note given as change twice',
    handedOverCash: 50_000,
  });
  t.equal(closed.status, 200, closed.raw);
  t.match(closed.body, {
    shiftId,
    totals: { byMethod: { cash: 100_000 + deposit, card, wechatpay: 0, stored_value: 0 }, refunds: { cash: deposit } },
    openingCash: 50_000,
    expectedCash: expected,
    countedCash: expected - 500,
    difference: -500,
    reason: 'a note given as change twice',
  });
  const again = await post(`/shifts/${shiftId}/close`, waiter.auth, { countedCash: 1 });
  t.same(again.body, closed.body, 'a second close answers the first');
  await runner.catchUp();
  const listed = await call(app, { method: 'GET', url: `/shifts?staffId=${waiter.userId}`, headers: manager.auth });
  t.match(
    listed.body,
    [{ shiftId, status: 'closed', difference: -500, reason: 'a note given as change twice', handedOverCash: 50_000 }],
    'a manager reads anyone’s',
  );

  // 交接: the next waiter takes the drawer over with the cash left in it.
  const next = await signUp(app, platform.store, 'waiter');
  const wrong = await post('/shifts', next.auth, { openingCash: 40_000, takeOverFrom: shiftId });
  t.equal(wrong.body.code, 'handover_mismatch');
  const takeOver = await post('/shifts', next.auth, { openingCash: 50_000, takeOverFrom: shiftId });
  t.equal(takeOver.status, 201, takeOver.raw);
  t.equal(takeOver.body.takenOverFrom, shiftId);
});

t.test('a shift is closed by its own staff member or a manager; money taken with no shift open is still taken', async (t) => {
  const waiter = await signUp(app, platform.store, 'waiter');
  const other = await signUp(app, platform.store, 'waiter');
  const guest = await signUp(app, platform.store, 'guest');
  t.equal(
    (await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 1_000, method: 'card' })).status,
    201,
    'no shift open: taken',
  );
  const shiftId = (await post('/shifts', waiter.auth, { openingCash: 0 })).body.shiftId as string;
  t.equal(
    (await post(`/shifts/${shiftId}/close`, other.auth, { countedCash: 0 })).status,
    404,
    'another waiter’s shift is not theirs to close',
  );
  const byManager = await post(`/shifts/${shiftId}/close`, manager.auth, { countedCash: 0 });
  t.equal(byManager.status, 200, byManager.raw);
  t.match(byManager.body.totals.byMethod, { card: 0 }, 'the top-up before the shift is not in it');
  t.equal((await post('/shifts/nonsense/close', manager.auth, { countedCash: 0 })).status, 404);
  t.equal((await post('/shifts', guest.auth, { openingCash: 0 })).status, 403);
  t.equal((await post('/shifts', waiter.auth, { openingCash: -1 })).status, 422);
});
