import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { sql } from 'kysely';
import { handle } from '../../src/eventstore/decide.js';
import { paymentStream } from '../../src/events/payments.js';
import { walletStream } from '../../src/events/wallets.js';
import { tillStream } from '../../src/events/shifts.js';
import { newId } from '../../src/ids.js';
import { paymentDecider } from '../../commands/payments/decider.js';
import { walletDecider } from '../../commands/wallets/decider.js';
import { tillRepairJobs } from '../../commands/payments/till-repair.js';

const { app, platform, runner } = await startTestService(t);
// The shift takes a walk-in of the hour from now.
const venue = await setUpVenue(app, platform, dayEndFarFromNow());
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
  // A deposit taken in cash at the desk, then the booking (two days ahead) cancelled by staff: the cash goes back out of the drawer.
  const held = await post('/bookings', guest.auth, {
    roomId: venue.rooms.small[0],
    start: new Date(Math.ceil((Date.now() + 2 * 86_400_000) / 900_000) * 900_000).toISOString(),
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

t.test('money a crash kept out of the till reaches the shift, once, by the repair sweep', async (t) => {
  const waiter = await signUp(app, platform.store, 'waiter');
  const guest = await signUp(app, platform.store, 'guest');
  const shiftId = (await post('/shifts', waiter.auth, { openingCash: 10_000 })).body.shiftId as string;
  const unrecorded = async () =>
    (await sql<{ movement_id: string }>`SELECT movement_id FROM rm.desk_unrecorded WHERE staff_id = ${waiter.userId}`.execute(platform.db))
      .rows;
  const sweep = async () => {
    for (const s of tillRepairJobs(platform).sweeps) await s();
  };

  // On PostgreSQL the money and its till record are one commit: a desk top-up leaves no gap to repair.
  t.ok(platform.store.atomicMultiStream);
  t.equal((await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 2_000, method: 'card' })).status, 201);
  await runner.catchUp();
  t.same(await unrecorded(), [], 'the atomic path leaves nothing unrecorded');

  // What a crash leaves where the money's append and the till's are two (EventStoreDB, or before the
  // atomic path): a cash payment, a top-up and a cash refund, each naming the waiter, and no till record.
  const now = new Date();
  const meta = { actor: waiter.userId };
  const paymentId = newId<'payment'>();
  const bookingId = newId<'booking'>();
  const pay = (c: Parameters<typeof paymentDecider.decide>[0]) => handle(platform.store, paymentStream(paymentId), paymentDecider, c, meta);
  await pay({
    type: 'Start',
    paymentId,
    bookingId,
    purpose: 'balance',
    method: 'cash',
    amount: 8_000,
    providerOrderId: null,
    by: waiter.userId,
    now,
  });
  await pay({ type: 'Succeed', transactionId: `cash-${paymentId}`, amount: 8_000, paidAt: now, desk: waiter.userId, now });
  const topUpId = newId<'topUp'>();
  await handle(
    platform.store,
    walletStream(guest.userId),
    walletDecider,
    { type: 'TopUp', userId: guest.userId, topUpId, method: 'cash', paid: 5_000, bonus: 0, bonusExpiresAt: null, by: waiter.userId, now },
    meta,
  );
  const refundId = `${paymentId}-r1`;
  await pay({ type: 'RequestRefund', refundId, amount: 3_000, reason: 'overcharged', now });
  await pay({ type: 'CompleteRefund', refundId, succeeded: true, reason: 'paid out at the desk', desk: waiter.userId, now });
  await runner.catchUp();
  t.same(
    (await unrecorded()).map((r) => r.movement_id).sort(),
    [paymentId, topUpId, refundId].sort(),
    'three movements missing from the till',
  );

  const recordedIds = async () =>
    (await platform.store.readStream(tillStream(waiter.userId))).events
      .filter((e) => e.type === 'DeskMoneyRecorded')
      .map((e) => (e.data as { movementId: string }).movementId);
  await sweep();
  const once = await recordedIds();
  for (const id of [paymentId, topUpId, refundId]) t.equal(once.filter((m) => m === id).length, 1, `${id} recorded once`);
  // Run again before the read model has seen the repair (as a sweep racing the request that writes its own record would):
  // the till already has each movement and takes none twice.
  await sweep();
  t.same(await recordedIds(), once, 'a second sweep records nothing more');
  await runner.catchUp();
  t.same(await unrecorded(), [], 'repaired');
  await sweep();
  t.same(await recordedIds(), once);

  const expected = 10_000 + 8_000 + 5_000 - 3_000;
  await runner.catchUp();
  const live = await call(app, { method: 'GET', url: '/shifts', headers: waiter.auth });
  t.match(live.body, [{ shiftId, status: 'open', expectedCash: expected }], 'the open shift counts them');
  const closed = await post(`/shifts/${shiftId}/close`, waiter.auth, { countedCash: expected });
  t.equal(closed.status, 200, closed.raw);
  t.match(closed.body, {
    totals: { byMethod: { cash: 8_000 + 5_000, card: 2_000, wechatpay: 0, stored_value: 0 }, refunds: { cash: 3_000 } },
    expectedCash: expected,
    difference: 0,
  });
});
