import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue, startServiceFromNow } from '../helpers/venue.js';
import { businessDateOf, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { addDays } from '../../domain/venue/time.js';
import { walletJobs } from '../../commands/wallets/jobs.js';
import { walletDecider } from '../../commands/wallets/decider.js';
import { paymentDecider } from '../../commands/payments/decider.js';
import { timeOutPayment } from '../../commands/payments/process.js';
import { bookingDecider } from '../../commands/bookings/decider.js';
import { handle, load } from '../../src/eventstore/decide.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const { manager, waiter } = venue;
const [S01, S02, S03] = venue.rooms.small as [string, string, string];
// The day after tomorrow, `hours` past 08:00: far enough ahead for a full refund, and one hour's stay never crosses the day's end.
const ahead = (hours: number) => venue.at(2, `${8 + hours}:00`);
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const get = (url: string, auth: Record<string, string>) => call(app, { method: 'GET', url, headers: auth });
const today = businessDateOf(new Date(), DEFAULT_VENUE);

await call(app, {
  method: 'PUT',
  url: '/stored-value/bonus-rules',
  headers: manager.auth,
  payload: {
    tiers: [
      { from: 100_000, bonus: 20_000, validDays: 365 },
      { from: 50_000, bonus: 5_000, validDays: null },
    ],
  },
});

async function hold(auth: Record<string, string>, roomId: string, hours: number) {
  const held = await post('/bookings', auth, { roomId, start: ahead(hours).toISOString(), durationMinutes: 60, partySize: 2 });
  t.equal(held.status, 201, held.raw);
  return held.body as { id: string; price: { deposit: number; total: number } };
}

t.test('a member tops up at the desk, earns the bonus tier, pays a deposit from the balance, is refunded to it', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const topUp = await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 100_000, method: 'cash' });
  t.equal(topUp.status, 201, topUp.raw);
  t.match(topUp.body, { paid: 100_000, bonus: 20_000, balance: 120_000, currency: 'CNY' }, 'top up ¥1,000, get ¥200');
  t.ok(topUp.body.bonusExpiresAt, 'the bonus of that tier lapses');

  // Far enough ahead for a full refund on cancelling.
  const booking = await hold(guest.auth, S01, 5);
  const paid = await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value' });
  t.equal(paid.status, 201, paid.raw);
  t.match(paid.body, { status: 'succeeded', amount: booking.price.deposit });
  await runner.catchUp();
  t.equal((await get(`/bookings/${booking.id}`, guest.auth)).body.status, 'confirmed', 'the booking is confirmed');

  const balance = await get(`/members/${guest.userId}/balance`, guest.auth);
  t.same(
    balance.body,
    {
      userId: guest.userId,
      balance: 120_000 - booking.price.deposit,
      paid: 100_000 - Math.max(0, booking.price.deposit - 20_000),
      bonus: Math.max(0, 20_000 - booking.price.deposit),
      currency: 'CNY',
    },
    'bonus is spent first',
  );

  const cancelled = await post(`/bookings/${booking.id}/cancel`, guest.auth, { reason: 'plans changed' });
  t.equal(cancelled.status, 200, cancelled.raw);
  t.equal(cancelled.body.refund.total, booking.price.deposit, 'a full refund before the cut-off');
  await runner.catchUp();
  const after = await get(`/members/${guest.userId}/statement`, guest.auth);
  t.match(after.body, { balance: 120_000, paid: 100_000, bonus: 20_000 }, 'the refund went back to the balance it came from');
  t.same(
    after.body.movements.map((m: { kind: string; amount: number }) => [m.kind, m.amount]),
    [
      ['top_up', 120_000],
      ['spend', -booking.price.deposit],
      ['return', booking.price.deposit],
    ],
    'the statement lists every movement',
  );
  t.equal((await get(`/members/${guest.userId}/statement`, waiter.auth)).status, 200, 'staff read it too');
  const other = await signUp(app, platform.store, 'guest');
  t.equal((await get(`/members/${guest.userId}/balance`, other.auth)).status, 404, 'another guest learns nothing');
});

t.test('a balance too small is 409 insufficient_balance and takes nothing; a top-up below every tier earns no bonus', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const booking = await hold(guest.auth, S02, 5);
  const refused = await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value' });
  t.equal(refused.status, 409);
  t.equal(refused.body.code, 'insufficient_balance');
  await runner.catchUp();
  t.equal((await get(`/bookings/${booking.id}`, guest.auth)).body.status, 'held');

  await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 30_000, method: 'card' });
  t.equal((await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value' })).status, 201);
  await runner.catchUp();
  t.match((await get(`/members/${guest.userId}/balance`, guest.auth)).body, { balance: 30_000 - booking.price.deposit, bonus: 0 });
});

t.test('top-ups: only staff, only real members, only the three methods; bonus rules only by managers', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  t.equal((await post(`/members/${guest.userId}/top-ups`, guest.auth, { amount: 100, method: 'cash' })).status, 403);
  t.equal((await post(`/members/${crypto.randomUUID()}/top-ups`, waiter.auth, { amount: 100, method: 'cash' })).status, 404);
  t.equal((await post(`/members/not-an-id/top-ups`, waiter.auth, { amount: 100, method: 'cash' })).status, 404);
  t.equal((await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 100, method: 'bitcoin' })).status, 422);
  t.equal((await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 0, method: 'cash' })).status, 422);
  const rules = await call(app, { method: 'PUT', url: '/stored-value/bonus-rules', headers: waiter.auth, payload: { tiers: [] } });
  t.equal(rules.status, 403);
  await runner.catchUp();
  t.same(
    (await get('/stored-value/bonus-rules', waiter.auth)).body.tiers[0],
    { from: 50_000, bonus: 5_000, validDays: null },
    'the tiers in force, smallest first',
  );
  const dup = await call(app, {
    method: 'PUT',
    url: '/stored-value/bonus-rules',
    headers: manager.auth,
    payload: {
      tiers: [
        { from: 100, bonus: 1, validDays: null },
        { from: 100, bonus: 2, validDays: null },
      ],
    },
  });
  t.equal(dup.status, 422);
});

t.test('the ledger: paid and bonus value are liabilities apart, stored value applied nets to zero, all balanced', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 50_000, method: 'wechatpay' });
  const booking = await hold(guest.auth, S03, 5);
  await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value' });
  await runner.catchUp();
  const tb = await get(`/ledger/trial-balance?asOf=${addDays(today, 2)}`, manager.auth);
  t.equal(tb.body.balanced, true);
  const byAccount = new Map((tb.body.accounts as { account: string; balance: number }[]).map((a) => [a.account, a.balance]));
  t.equal(byAccount.get('1020') ?? 0, 0, 'stored value applied: what the wallets gave, the payments took');
  // Every member's balance, added up from the read model, is what the ledger owes them.
  const { rows } = await platform.pool.query<{ paid: string; bonus: string }>(
    `SELECT (SELECT sum(paid) FROM rm.stored_value_accounts) AS paid, (SELECT sum(bonus_left) FROM rm.stored_value_lots) AS bonus`,
  );
  t.equal(-(byAccount.get('2241') ?? 0), Number(rows[0]?.paid), 'paid value owed (2241) = the members’ paid balances');
  t.equal(-(byAccount.get('2242') ?? 0), Number(rows[0]?.bonus), 'bonus value owed (2242) = the members’ bonus balances');
  t.equal(byAccount.get('5601'), 20_000 + 5_000, 'the bonus granted is a promotion cost');
});

t.test('bonus lapses after its validity: the sweep records it, the statement and the ledger show it', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  await call(app, {
    method: 'PUT',
    url: '/stored-value/bonus-rules',
    headers: manager.auth,
    payload: { tiers: [{ from: 1_000, bonus: 300, validDays: 1 }] },
  });
  t.match((await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 1_000, method: 'cash' })).body, { balance: 1_300 });
  await runner.catchUp();
  const later = new Date(Date.now() + 2 * 86_400_000);
  for (const sweep of walletJobs({ ...platform, clock: () => later }).sweeps) await sweep();
  const events = (await platform.store.readStream(`wallet-${guest.userId}`)).events;
  t.match(events.at(-1), { type: 'StoredValueBonusExpired', data: { amount: 300 } });
  await runner.catchUp();
  const statement = await get(`/members/${guest.userId}/statement`, waiter.auth);
  t.match(statement.body, { balance: 1_000, bonus: 0 });
  t.same(statement.body.movements.at(-1), { ...statement.body.movements.at(-1), kind: 'bonus_expired', bonus: -300 });
  for (const sweep of walletJobs({ ...platform, clock: () => later }).sweeps) await sweep();
  t.equal((await platform.store.readStream(`wallet-${guest.userId}`)).events.length, events.length, 'recorded once');
});

t.test('two payments racing for the last of a balance: exactly one is taken', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const a = await hold(guest.auth, S01, 9);
  const b = await hold(guest.auth, S02, 9);
  // No bonus tiers: the balance is exactly one deposit.
  await call(app, { method: 'PUT', url: '/stored-value/bonus-rules', headers: manager.auth, payload: { tiers: [] } });
  await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: a.price.deposit, method: 'cash' });
  const answers = await Promise.all([a, b].map((x) => post(`/bookings/${x.id}/payments`, guest.auth, { method: 'stored_value' })));
  t.same(answers.map((r) => r.status).sort(), [201, 409], 'one payment, one insufficient_balance');
  await runner.catchUp();
  t.equal((await get(`/members/${guest.userId}/balance`, guest.auth)).body.balance, 0, 'never below zero');
});

t.test('stored value pays the bill of a party in its room, as the balance', async (t) => {
  // A walk-in of the hour from now, on a venue of its own whose business day ends far from now.
  const { app, platform, runner, venue } = await startServiceFromNow(t);
  const { waiter } = venue;
  const S03 = venue.rooms.small[2]!;
  const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
  const get = (url: string, auth: Record<string, string>) => call(app, { method: 'GET', url, headers: auth });
  const guest = await signUp(app, platform.store, 'guest');
  await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 100_000, method: 'card' });
  const walkIn = await post('/walk-ins', waiter.auth, { roomId: S03, durationMinutes: 60, partySize: 2 });
  const paid = await post(`/bookings/${walkIn.body.id}/payments`, waiter.auth, {
    method: 'stored_value',
    purpose: 'balance',
    memberId: guest.userId,
  });
  t.equal(paid.status, 201, paid.raw);
  t.equal((await post(`/bookings/${walkIn.body.id}/check-out`, waiter.auth, { settlement: 'none' })).status, 200);
  await runner.catchUp();
  t.equal((await get(`/members/${guest.userId}/balance`, guest.auth)).body.balance, 100_000 - paid.body.amount);
  const self = await post(`/bookings/${walkIn.body.id}/payments`, guest.auth, { method: 'stored_value', memberId: guest.userId });
  t.equal(self.status, 404, 'a guest cannot pay a booking that is not theirs');
});

t.test('a stored-value payment cut short by a crash is finished from the wallet by the timeout sweep', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount: 50_000, method: 'cash' });
  const metadata = { actor: guest.userId };
  const now = new Date();
  const started = async (bookingId: string, amount: number, desk?: string) => {
    const paymentId = crypto.randomUUID();
    await handle(
      platform.store,
      `payment-${paymentId}`,
      paymentDecider,
      {
        type: 'Start',
        paymentId,
        bookingId,
        purpose: 'deposit',
        method: 'stored_value',
        amount,
        providerOrderId: guest.userId,
        by: desk ?? guest.userId,
        ...(desk ? { desk } : {}),
        now,
      },
      metadata,
    );
    return paymentId;
  };
  const spend = (paymentId: string, bookingId: string, amount: number) =>
    handle(
      platform.store,
      `wallet-${guest.userId}`,
      walletDecider,
      { type: 'Spend', userId: guest.userId, paymentId, bookingId, amount, by: guest.userId, now },
      metadata,
    );
  // Crashed after the wallet paid: the payment succeeds and confirms the booking.
  const a = await hold(guest.auth, S01, 12);
  const taken = await started(a.id, a.price.deposit);
  await spend(taken, a.id, a.price.deposit);
  await timeOutPayment(platform, taken);
  t.match((await load(platform.store, `payment-${taken}`, paymentDecider)).state, { status: 'succeeded' });
  t.equal((await load(platform.store, `booking-${a.id}`, bookingDecider)).state.status, 'confirmed');
  // Crashed before the wallet paid: the payment is closed, nothing was taken.
  const b = await hold(guest.auth, S02, 12);
  const never = await started(b.id, b.price.deposit);
  await timeOutPayment(platform, never);
  t.match((await load(platform.store, `payment-${never}`, paymentDecider)).state, { status: 'closed' });
  // Taken at the desk: finished, it is in the till of the staff member who took it, as it would have been.
  const c = await hold(guest.auth, S03, 12);
  const atDesk = await started(c.id, c.price.deposit, waiter.userId);
  await spend(atDesk, c.id, c.price.deposit);
  await timeOutPayment(platform, atDesk);
  const till = (await platform.store.readStream(`till-${waiter.userId}`)).events.map(
    (e) => e.data as { movementId: string; method: string },
  );
  t.match(
    till.filter((m) => m.movementId === atDesk),
    [{ movementId: atDesk, method: 'stored_value', amount: c.price.deposit, memberId: guest.userId }],
  );
  // Cash at the desk cut short between its start and its success: closed, in no till, the booking still held.
  const d = await hold(guest.auth, S01, 15);
  const cashId = crypto.randomUUID();
  await handle(
    platform.store,
    `payment-${cashId}`,
    paymentDecider,
    {
      type: 'Start',
      paymentId: cashId,
      bookingId: d.id,
      purpose: 'deposit',
      method: 'cash',
      amount: d.price.deposit,
      providerOrderId: null,
      by: waiter.userId,
      now,
    },
    metadata,
  );
  await timeOutPayment(platform, cashId);
  t.match((await load(platform.store, `payment-${cashId}`, paymentDecider)).state, { status: 'closed' });
  const tillAfter = (await platform.store.readStream(`till-${waiter.userId}`)).events.map((e) => e.data as { movementId: string });
  t.notOk(
    tillAfter.some((m) => m.movementId === cashId),
    'nothing in the till',
  );
  t.equal((await load(platform.store, `booking-${d.id}`, bookingDecider)).state.status, 'held');
});
