import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp, type SignedIn } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { at } from '../helpers/clock.js';
import { businessDateOf, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { addDays } from '../../domain/venue/time.js';
import { jobs } from '../../src/root/features.js';
import { HOLD_EXPIRY } from '../../commands/bookings/expiry.js';

/**
 * A held booking's deposit paid partly from stored value and the rest another way: over HTTP and
 * PostgreSQL, with the wallet, the payments and the ledger read back.
 */
const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const { manager, waiter } = venue;
const [S01, S02, S03] = venue.rooms.small as [string, string, string];
const [M01, M02] = venue.rooms.medium as [string, string];
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const get = (url: string, auth: Record<string, string>) => call(app, { method: 'GET', url, headers: auth });
const today = businessDateOf(new Date(), DEFAULT_VENUE);
const types = async (stream: string) => (await platform.store.readStream(stream)).events.map((e) => e.type);

type Held = { id: string; price: { deposit: number } };

/** A member with `amount` fen of stored value (no bonus tiers are set, so all of it paid value). */
async function member(amount: number): Promise<SignedIn> {
  const guest = await signUp(app, platform.store, 'guest');
  const topUp = await post(`/members/${guest.userId}/top-ups`, waiter.auth, { amount, method: 'cash' });
  t.equal(topUp.status, 201, topUp.raw);
  t.equal(topUp.body.balance, amount);
  return guest;
}

/** Two days ahead, `hour` o'clock, one hour. */
async function hold(auth: Record<string, string>, roomId: string, hour: number): Promise<Held> {
  const held = await post('/bookings', auth, {
    roomId,
    start: venue.at(2, `${hour}:00`).toISOString(),
    durationMinutes: 60,
    partySize: 2,
  });
  t.equal(held.status, 201, held.raw);
  t.ok(held.body.price.deposit > 1, 'a deposit that can be split');
  return held.body as Held;
}

/** Read models, once the events so far are projected. */
async function balanceOf(guest: SignedIn) {
  await runner.catchUp();
  return (await get(`/members/${guest.userId}/balance`, guest.auth)).body.balance as number;
}
async function bookingOf(id: string) {
  await runner.catchUp();
  return (await get(`/bookings/${id}`, waiter.auth)).body as { status: string; amountPaid: number };
}

t.test('a part from the balance, the rest in the sandbox: confirmed, the wallet charged the part only', async (t) => {
  const guest = await member(10_000);
  const booking = await hold(guest.auth, S01, 10);
  const deposit = booking.price.deposit;
  const part = Math.floor(deposit / 3);

  const paid = await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value', amount: part });
  t.equal(paid.status, 201, paid.raw);
  t.match(paid.body, { provider: 'stored_value', purpose: 'deposit', amount: part, status: 'succeeded', remaining: deposit - part });
  await runner.catchUp();
  t.match(await bookingOf(booking.id), { status: 'held', amountPaid: part }, 'held until the rest is paid');
  t.equal(await balanceOf(guest), 10_000 - part);

  const rest = await post(`/bookings/${booking.id}/payments`, guest.auth);
  t.equal(rest.status, 201, rest.raw);
  t.match(rest.body, { provider: 'sandbox', amount: deposit - part, status: 'pending' }, 'the next payment asks only for the rest');
  t.notOk('remaining' in rest.body);
  t.equal((await call(app, { method: 'POST', url: rest.body.sandboxCompleteUrl })).status, 200);
  t.equal((await call(app, { method: 'POST', url: rest.body.sandboxCompleteUrl })).status, 200, 'the callback delivered again…');
  await runner.catchUp();
  t.match(await bookingOf(booking.id), { status: 'confirmed', amountPaid: deposit }, '…confirms once, with both payments summed');
  t.same(await types(`booking-${booking.id}`), ['BookingHeld', 'DepositPartPaid', 'BookingConfirmed']);
  t.equal(await balanceOf(guest), 10_000 - part, 'the wallet paid its part only');
  for (const [paymentId, amount] of [
    [paid.body.paymentId, part],
    [rest.body.paymentId, deposit - part],
  ])
    t.match((await get(`/payments/${paymentId}`, waiter.auth)).body, { status: 'succeeded', amount, refunded: 0 });
});

t.test('two parts from the balance, the rest in cash at the desk; a part covering the rest confirms at once', async (t) => {
  const guest = await member(10_000);
  const booking = await hold(guest.auth, S02, 10);
  const deposit = booking.price.deposit;
  const first = await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value', amount: 1 });
  t.match(first.body, { status: 'succeeded', remaining: deposit - 1 });
  const second = await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value', amount: 1 });
  t.match(second.body, { status: 'succeeded', remaining: deposit - 2 }, 'a second part counts the first');
  t.equal((await post(`/bookings/${booking.id}/confirm`, waiter.auth, { method: 'cash' })).status, 200, 'the desk takes the rest');
  await runner.catchUp();
  t.match(await bookingOf(booking.id), { status: 'confirmed', amountPaid: deposit });
  t.equal(await balanceOf(guest), 10_000 - 2);

  const other = await hold(guest.auth, S03, 10);
  const whole = await post(`/bookings/${other.id}/payments`, guest.auth, { method: 'stored_value', amount: other.price.deposit });
  t.match(whole.body, { status: 'succeeded', amount: other.price.deposit, remaining: 0 }, 'an amount equal to what is due is all of it');
  await runner.catchUp();
  t.match(await bookingOf(other.id), { status: 'confirmed', amountPaid: other.price.deposit });
});

t.test('a part paid, then the hold expires: the part goes back to the balance', async (t) => {
  const guest = await member(10_000);
  const booking = await hold(guest.auth, M01, 12);
  const part = Math.floor(booking.price.deposit / 2);
  const paid = await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value', amount: part });
  t.equal(paid.status, 201, paid.raw);
  t.equal(await balanceOf(guest), 10_000 - part);

  // The hold-expiry job as the job runner runs it, a moment after the hold ran out (15 minutes).
  const later = at(platform, new Date(Date.now() + 16 * 60_000));
  const expire = jobs(later).handlers[HOLD_EXPIRY]!;
  await expire(booking.id);
  await expire(booking.id);
  await runner.catchUp();
  t.match(await bookingOf(booking.id), { status: 'expired' });
  t.equal(await balanceOf(guest), 10_000, 'the part is back in the balance');
  t.same(
    await types(`payment-${paid.body.paymentId}`),
    ['PaymentStarted', 'PaymentSucceeded', 'RefundRequested', 'RefundSucceeded'],
    'returned once, though the job ran twice',
  );
  const statement = await get(`/members/${guest.userId}/statement`, guest.auth);
  t.same(
    statement.body.movements.map((m: { kind: string; amount: number }) => [m.kind, m.amount]),
    [
      ['top_up', 10_000],
      ['spend', -part],
      ['return', part],
    ],
  );
});

t.test('a part paid, the rest paid only after the hold expired: both go back, each the way it came', async (t) => {
  const guest = await member(10_000);
  const booking = await hold(guest.auth, M01, 16);
  const part = Math.floor(booking.price.deposit / 2);
  const paid = await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value', amount: part });
  t.equal(paid.status, 201, paid.raw);
  const rest = await post(`/bookings/${booking.id}/payments`, guest.auth);
  t.equal(rest.body.amount, booking.price.deposit - part);

  const later = at(platform, new Date(Date.now() + 16 * 60_000));
  await jobs(later).handlers[HOLD_EXPIRY]!(booking.id);
  t.equal((await call(app, { method: 'POST', url: rest.body.sandboxCompleteUrl })).status, 200, 'the provider reports the rest paid, late');
  t.match(await bookingOf(booking.id), { status: 'expired' });
  t.equal(await balanceOf(guest), 10_000, 'the part is back in the balance');
  for (const p of [paid.body, rest.body])
    t.match(
      (await get(`/payments/${p.paymentId}`, waiter.auth)).body,
      { status: 'succeeded', refunded: p.amount },
      `${p.provider} refunded`,
    );
});

t.test('a part paid, then the booking is cancelled: the part goes back to the balance', async (t) => {
  const guest = await member(10_000);
  const booking = await hold(guest.auth, M02, 12);
  const part = Math.floor(booking.price.deposit / 2);
  t.equal((await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value', amount: part })).status, 201);
  const cancelled = await post(`/bookings/${booking.id}/cancel`, guest.auth, { reason: 'plans changed' });
  t.equal(cancelled.status, 200, cancelled.raw);
  t.same(cancelled.body.refund, { total: part, currency: 'CNY' });
  await runner.catchUp();
  t.equal(await balanceOf(guest), 10_000);
  t.match(await bookingOf(booking.id), { status: 'cancelled' });
});

t.test('bad amounts are 4xx problem+json and change nothing', async (t) => {
  const guest = await member(10_000);
  const booking = await hold(guest.auth, S01, 14);
  const deposit = booking.price.deposit;
  const tries: [object, number, string | null][] = [
    [{ method: 'stored_value', amount: deposit + 1 }, 422, 'amount_exceeds_due'],
    [{ method: 'stored_value', amount: 0 }, 422, null],
    [{ method: 'stored_value', amount: -5 }, 422, null],
    [{ method: 'stored_value', amount: 1.5 }, 422, null],
    [{ amount: 1 }, 422, 'amount_stored_value_only'],
    [{ method: 'stored_value', purpose: 'balance', amount: 1 }, 422, 'amount_deposit_only'],
  ];
  for (const [payload, status, code] of tries) {
    const refused = await post(`/bookings/${booking.id}/payments`, guest.auth, payload);
    t.equal(refused.status, status, `${JSON.stringify(payload)}: ${refused.raw}`);
    t.match(refused.headers['content-type'], /application\/problem\+json/);
    if (code) t.equal(refused.body.code, code);
  }
  const part = Math.floor(deposit / 2);
  t.equal((await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value', amount: part })).status, 201);
  const over = await post(`/bookings/${booking.id}/payments`, guest.auth, { method: 'stored_value', amount: deposit - part + 1 });
  t.equal(over.status, 422, 'more than the rest');
  t.match(over.body, { code: 'amount_exceeds_due', due: deposit - part });

  const poor = await member(1);
  const theirs = await hold(poor.auth, S02, 14);
  const short = await post(`/bookings/${theirs.id}/payments`, poor.auth, { method: 'stored_value', amount: 2 });
  t.equal(short.status, 409);
  t.equal(short.body.code, 'insufficient_balance');

  await runner.catchUp();
  t.match(await bookingOf(booking.id), { status: 'held', amountPaid: part }, 'only the good part counted');
  t.equal(await balanceOf(guest), 10_000 - part);
  t.match(await bookingOf(theirs.id), { status: 'held', amountPaid: 0 });
  t.equal(await balanceOf(poor), 1);
  t.same(await types(`booking-${booking.id}`), ['BookingHeld', 'DepositPartPaid']);
  t.same(await types(`booking-${theirs.id}`), ['BookingHeld']);
});

t.test('the ledger balances to the fen: deposits held for the confirmed bookings, members owed their balances', async (t) => {
  await runner.catchUp();
  const tb = await get(`/ledger/trial-balance?asOf=${addDays(today, 2)}`, manager.auth);
  t.equal(tb.status, 200, tb.raw);
  t.equal(tb.body.balanced, true);
  const byAccount = new Map((tb.body.accounts as { account: string; balance: number }[]).map((a) => [a.account, a.balance]));
  t.equal(byAccount.get('1020') ?? 0, 0, 'stored value applied nets to zero: what the wallets gave, the payments took');
  const { rows } = await platform.pool.query<{ deposits: string; owed: string }>(
    `SELECT (SELECT sum(amount_paid) FROM rm.bookings WHERE status IN ('confirmed', 'held')) AS deposits,
            (SELECT sum(paid) FROM rm.stored_value_accounts) AS owed`,
  );
  t.equal(
    -(byAccount.get('2203') ?? 0),
    Number(rows[0]?.deposits),
    'deposits held (2203): every part and rest still held, none of the returned',
  );
  t.equal(-(byAccount.get('2241') ?? 0), Number(rows[0]?.owed), 'paid value owed (2241) = the members’ balances');
});
