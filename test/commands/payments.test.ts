import t from 'tap';
import { sql } from 'kysely';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue, startServiceFromNow } from '../helpers/venue.js';
import { holdBooking } from '../../commands/bookings/hold.js';
import { expireHold } from '../../commands/bookings/expiry.js';
import { at } from '../helpers/clock.js';
import { startPayment, timeOutPayment } from '../../commands/payments/process.js';
import { loadBooking } from '../../commands/bookings/context.js';
import { businessDateOf, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { addDays } from '../../domain/venue/time.js';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const { app, platform, runner, databaseUrl } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const [S01, S02, S03] = venue.rooms.small as [string, string, string];
const today = businessDateOf(new Date(), DEFAULT_VENUE);
const soon = () => new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000);
const types = async (stream: string, store = platform.store) => (await store.readStream(stream)).events.map((e) => e.type);

async function pay(auth: Record<string, string>, bookingId: string, on = app) {
  const started = await call(on, { method: 'POST', url: `/bookings/${bookingId}/payments`, headers: auth });
  t.equal(started.status, 201, JSON.stringify(started.body));
  return started.body as { paymentId: string; amount: number; sandboxCompleteUrl: string; provider: string };
}

t.test('hold, pay in the sandbox, confirm, check in, check out: revenue and a balanced trial balance', async (t) => {
  const { app, platform, runner, venue } = await startServiceFromNow(t);
  const [S01] = venue.rooms.small as [string];
  const guest = await signUp(app, platform.store, 'guest');
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: S01, start: soon().toISOString(), durationMinutes: 60, partySize: 2 },
  });
  const id = held.body.id as string;
  const today = held.body.businessDate as string;
  const p = await pay(guest.auth, id, app);
  t.equal(p.provider, 'sandbox');
  t.equal(p.amount, held.body.price.deposit);
  t.match(p.sandboxCompleteUrl, /^\/payments\/sandbox\/.+\/complete\?token=/);
  const completed = await call(app, { method: 'POST', url: p.sandboxCompleteUrl });
  t.equal(completed.status, 200);
  t.same(await types(`booking-${id}`, platform.store), ['BookingHeld', 'BookingConfirmed']);
  const before = await types(`payment-${p.paymentId}`, platform.store);
  t.equal((await call(app, { method: 'POST', url: p.sandboxCompleteUrl })).status, 200, 'a second POST is fine');
  t.same(await types(`payment-${p.paymentId}`, platform.store), before, '…and changes nothing');
  t.same(await types(`booking-${id}`, platform.store), ['BookingHeld', 'BookingConfirmed']);
  t.equal(
    (await call(app, { method: 'POST', url: p.sandboxCompleteUrl.replace(/token=.*/, 'token=forged') })).status,
    404,
    'a forged link is refused',
  );

  await call(app, { method: 'POST', url: `/bookings/${id}/check-in`, headers: venue.waiter.auth });
  const out = await call(app, {
    method: 'POST',
    url: `/bookings/${id}/check-out`,
    headers: venue.waiter.auth,
    payload: { settlement: 'card' },
  });
  t.same(out.body.bill, {
    total: held.body.price.total,
    paid: held.body.price.deposit,
    due: held.body.price.total - held.body.price.deposit,
    refund: 0,
    currency: 'CNY',
    lines: [{ kind: 'room', description: 'Room', amount: held.body.price.total }],
  });

  await runner.catchUp();
  const manager = venue.manager;
  const rev = await call(app, {
    method: 'GET',
    url: `/reports/revenue?from=${today}&to=${addDays(today, 1)}&groupBy=roomType`,
    headers: manager.auth,
  });
  t.equal(rev.status, 200);
  const total = held.body.price.total;
  t.same(rev.body.rows, [{ key: 'small', bookings: 1, revenue: total, net: total, tax: 0, baseRevenue: total, dynamicUplift: 0 }]);
  t.equal(rev.body.total, held.body.price.total);
  const tb = await call(app, { method: 'GET', url: `/ledger/trial-balance?asOf=${addDays(today, 1)}`, headers: manager.auth });
  t.equal(tb.body.balanced, true);
  // Whether the card payment lands before or after the check-out decides if it passes through receivables; either way only these balances remain.
  const byAccount = Object.fromEntries(
    tb.body.accounts
      .filter((a: { balance: number }) => a.balance !== 0)
      .map((a: { account: string; balance: number }) => [a.account, a.balance]),
  );
  const due = out.body.bill.due as number;
  t.same(
    byAccount,
    { ...(due > 0 ? { '1003': due } : {}), '1019': held.body.price.deposit, '6001': -held.body.price.total },
    'sandbox + card in, deposits applied, revenue recognised',
  );
  const payment = await call(app, { method: 'GET', url: `/payments/${p.paymentId}`, headers: guest.auth });
  t.equal(payment.body.status, 'succeeded');
  const stranger = await signUp(app, platform.store, 'guest');
  t.equal((await call(app, { method: 'GET', url: `/payments/${p.paymentId}`, headers: stranger.auth })).status, 404);
  const accountant = await signUp(app, platform.store, 'accountant');
  const read = await call(app, { method: 'GET', url: `/payments/${p.paymentId}`, headers: accountant.auth });
  t.equal(read.status, 200, 'accountants read every payment (payment:read)');
  t.equal(read.body.paymentId, p.paymentId);
  t.equal((await call(app, { method: 'GET', url: `/reports/revenue?from=${today}&to=${today}`, headers: guest.auth })).status, 403);
});

t.test('a paid booking cancelled in time is refunded in full', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: S02, start: venue.at(4, '20:00').toISOString(), durationMinutes: 60, partySize: 2 },
  });
  const p = await pay(guest.auth, held.body.id);
  await call(app, { method: 'POST', url: p.sandboxCompleteUrl });
  const cancelled = await call(app, { method: 'POST', url: `/bookings/${held.body.id}/cancel`, headers: guest.auth });
  t.equal(cancelled.body.refund.total, held.body.price.deposit);
  t.same(await types(`payment-${p.paymentId}`), ['PaymentStarted', 'PaymentSucceeded', 'RefundRequested', 'RefundSucceeded']);
  await runner.catchUp();
  const { rows } = await sql<{
    n: number;
  }>`SELECT sum(credit - debit)::float8 AS n FROM rm.journal_lines WHERE booking_id = ${held.body.id} AND account = '2203'`.execute(
    platform.db,
  );
  t.equal(rows[0]?.n, 0, 'nothing left in customer deposits');
});

t.test('a payment arriving after the hold expired is refunded automatically', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const actor = { userId: guest.userId, staff: false };
  const h = await holdBooking(
    platform,
    {
      roomId: S03,
      start: venue.at(5, '20:00'),
      durationMinutes: 60,
      partySize: 2,
      guestId: guest.userId,
      memberLevel: 'regular',
      guestName: null,
      guestPhone: null,
    },
    actor,
    {},
  );
  const booking = await loadBooking(platform.store, h.bookingId, actor);
  const p = await startPayment(platform, booking, 'deposit', booking.price.deposit, guest.userId, {});
  await expireHold(at(platform, new Date(Date.now() + 16 * 60_000)), h.bookingId);
  t.equal((await call(app, { method: 'POST', url: p.order.sandboxCompleteUrl! })).status, 200);
  t.same(await types(`payment-${p.paymentId}`), ['PaymentStarted', 'PaymentSucceeded', 'RefundRequested', 'RefundSucceeded']);
  t.same(await types(`booking-${h.bookingId}`), ['BookingHeld', 'BookingExpired']);
  t.equal((await call(app, { method: 'POST', url: p.order.sandboxCompleteUrl! })).status, 200, 'delivered again…');
  t.same(
    await types(`payment-${p.paymentId}`),
    ['PaymentStarted', 'PaymentSucceeded', 'RefundRequested', 'RefundSucceeded'],
    '…refunded once',
  );
});

t.test('late cancellations and no-shows keep the deposit as income', async (t) => {
  const { app, platform, runner, venue } = await startServiceFromNow(t);
  const [, S02] = venue.rooms.small as [string, string];
  const guest = await signUp(app, platform.store, 'guest');
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: S02, start: new Date(soon().getTime() + 3_600_000).toISOString(), durationMinutes: 60, partySize: 2 },
  });
  t.equal(
    (await call(app, { method: 'POST', url: `/bookings/${held.body.id}/confirm`, headers: venue.waiter.auth, payload: { method: 'cash' } }))
      .status,
    200,
    'deposit in cash at the desk',
  );
  const late = await call(app, { method: 'POST', url: `/bookings/${held.body.id}/cancel`, headers: guest.auth });
  t.equal(late.body.refund.total, 0);
  await runner.catchUp();
  const { rows } = await sql<{
    account: string;
    n: number;
  }>`SELECT account, sum(credit - debit)::float8 AS n FROM rm.journal_lines WHERE booking_id = ${held.body.id} GROUP BY account ORDER BY account`.execute(
    platform.db,
  );
  t.same(rows, [
    { account: '1001', n: -held.body.price.deposit },
    { account: '2203', n: 0 },
    { account: '6051', n: held.body.price.deposit },
  ]);
});

t.test('a payment with no callback is asked about and closed by the timeout job', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: S01, start: venue.at(6, '20:00').toISOString(), durationMinutes: 60, partySize: 2 },
  });
  const p = await pay(guest.auth, held.body.id);
  await timeOutPayment(platform, p.paymentId);
  t.same(await types(`payment-${p.paymentId}`), ['PaymentStarted', 'PaymentClosed']);
  t.equal(
    (await call(app, { method: 'POST', url: `/bookings/${held.body.id}/payments`, headers: guest.auth, payload: { purpose: 'balance' } }))
      .body.code,
    'booking_held',
  );
});

t.test('the ledger rebuilt from events gives the same figures, to the fen', async (t) => {
  await runner.catchUp();
  const snapshot = async () => (await sql`SELECT * FROM rm.journal_lines ORDER BY entry_id, line_no`.execute(platform.db)).rows;
  const before = await snapshot();
  t.ok(before.length > 5);
  await runner.rebuild('ledger');
  t.same(await snapshot(), before);
  const csv = await call(app, {
    method: 'GET',
    url: `/ledger/entries.csv?from=${today}&to=${addDays(today, 30)}`,
    headers: venue.manager.auth,
  });
  t.equal(csv.status, 403, 'entries are for accountants');
  const accountant = await signUp(app, platform.store, 'accountant');
  const asCsv = await call(app, {
    method: 'GET',
    url: `/ledger/entries.csv?from=${today}&to=${addDays(today, 30)}`,
    headers: accountant.auth,
  });
  t.equal(asCsv.status, 200);
  t.match(String(asCsv.headers['content-type']), /text\/csv/);
  t.equal(asCsv.raw.trim().split('\n').length, before.length + 1, 'one row per line plus the header');
  t.equal((await call(app, { method: 'GET', url: `/ledger/entries?from=${today}&to=2000-01-01`, headers: accountant.auth })).status, 422);
});

t.test('the CLI replays the ledger for a period into a file, equal to the serving ledger', async (t) => {
  await runner.catchUp();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ktv-replay-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'ledger.csv');
  const to = addDays(today, 30);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'src/root/cli.ts', 'ledger', 'replay', '--from', today, '--to', to, '--out', out],
    {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dir, LOG_LEVEL: 'silent' },
    },
  );
  t.match(stdout, /the serving ledger has exactly the same lines/);
  const accountant = await signUp(app, platform.store, 'accountant');
  const served = await call(app, { method: 'GET', url: `/ledger/entries.csv?from=${today}&to=${to}`, headers: accountant.auth });
  t.equal(await readFile(out, 'utf8'), served.raw, 'the file is the same CSV, to the fen');
  const usage = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/root/cli.ts', 'ledger', 'replay'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
  }).catch((e: { code: number }) => e);
  t.equal((usage as { code: number }).code, 2, 'bad arguments print the usage and exit 2');
});

t.test(
  'a second deposit paid for a booking another payment already confirmed is refunded in full, and a late repeat of the first changes nothing',
  async (t) => {
    const guest = await signUp(app, platform.store, 'guest');
    const held = await call(app, {
      method: 'POST',
      url: '/bookings',
      headers: guest.auth,
      payload: { roomId: S03, start: venue.at(6, '20:00').toISOString(), durationMinutes: 60, partySize: 2 },
    });
    const first = await pay(guest.auth, held.body.id);
    const second = await pay(guest.auth, held.body.id);
    await call(app, { method: 'POST', url: first.sandboxCompleteUrl });
    await call(app, { method: 'POST', url: second.sandboxCompleteUrl });
    t.same(
      await types(`payment-${first.paymentId}`),
      ['PaymentStarted', 'PaymentSucceeded'],
      'the first one confirmed the booking and is kept',
    );
    t.same(
      await types(`payment-${second.paymentId}`),
      ['PaymentStarted', 'PaymentSucceeded', 'RefundRequested', 'RefundSucceeded'],
      'the second one is given back',
    );
    await call(app, { method: 'POST', url: second.sandboxCompleteUrl });
    t.same(
      await types(`payment-${second.paymentId}`),
      ['PaymentStarted', 'PaymentSucceeded', 'RefundRequested', 'RefundSucceeded'],
      'delivered again, it refunds nothing more',
    );
    const booking = await loadBooking(platform.store, held.body.id, { userId: guest.userId, staff: false });
    t.same(
      { status: booking.status, amountPaid: booking.amountPaid, paymentIds: booking.paymentIds },
      { status: 'confirmed', amountPaid: first.amount, paymentIds: [first.paymentId] },
    );
  },
);

t.test('a deposit callback delivered again after check-in keeps the deposit', async (t) => {
  const { app, platform, venue } = await startServiceFromNow(t);
  const [, , S03] = venue.rooms.small as [string, string, string];
  const guest = await signUp(app, platform.store, 'guest');
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: S03, start: soon().toISOString(), durationMinutes: 60, partySize: 2 },
  });
  const p = await pay(guest.auth, held.body.id, app);
  await call(app, { method: 'POST', url: p.sandboxCompleteUrl });
  t.equal((await call(app, { method: 'POST', url: `/bookings/${held.body.id}/check-in`, headers: venue.waiter.auth })).status, 200);
  t.equal((await call(app, { method: 'POST', url: p.sandboxCompleteUrl })).status, 200);
  t.same(
    await types(`payment-${p.paymentId}`, platform.store),
    ['PaymentStarted', 'PaymentSucceeded'],
    'no refund of the deposit that confirmed the booking',
  );
});

t.test('a sandbox link started on one instance completes on another (a restart, a second process)', async (t) => {
  const other = await startTestService(t, { databaseUrl });
  const guest = await signUp(app, platform.store, 'guest');
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: S02, start: venue.at(8, '20:00').toISOString(), durationMinutes: 60, partySize: 2 },
  });
  const p = await pay(guest.auth, held.body.id);
  const completed = await call(other.app, { method: 'POST', url: p.sandboxCompleteUrl });
  t.equal(completed.status, 200, JSON.stringify(completed.body));
  t.same(await types(`payment-${p.paymentId}`), ['PaymentStarted', 'PaymentSucceeded']);
  t.same(await types(`booking-${held.body.id}`), ['BookingHeld', 'BookingConfirmed']);
  t.equal((await call(app, { method: 'POST', url: p.sandboxCompleteUrl })).status, 200, 'the first instance takes it again…');
  t.same(await types(`payment-${p.paymentId}`), ['PaymentStarted', 'PaymentSucceeded'], '…and changes nothing');
  const unknown = p.sandboxCompleteUrl.replace(p.paymentId, '00000000-0000-4000-8000-000000000000');
  t.equal((await call(other.app, { method: 'POST', url: unknown })).status, 404, 'a link for no payment is refused');
});

t.test('a deposit larger than the bill (moved to a cheaper room) is refunded at check-out, and 2203 holds nothing for it', async (t) => {
  const { app, platform, runner, venue } = await startServiceFromNow(t);
  // Deluxe has an ¥800 minimum spend, so an hour of it takes a ¥240 deposit whatever the band; an hour of medium costs less.
  const manager = venue.manager;
  await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: manager.auth,
    payload: { id: 'deluxe', name: 'Deluxe', minCapacity: 2, maxCapacity: 25, cleaningBufferMinutes: 15 },
  });
  const D01 = (
    await call(app, { method: 'POST', url: '/rooms', headers: manager.auth, payload: { name: 'D01', type: 'deluxe', capacity: 20 } })
  ).body.id as string;
  const M01 = venue.rooms.medium[0]!;
  const guest = await signUp(app, platform.store, 'guest');
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: D01, start: soon().toISOString(), durationMinutes: 60, partySize: 2 },
  });
  t.equal(held.status, 201, held.raw);
  const id = held.body.id as string;
  t.equal(held.body.price.deposit, 24000);
  const p = await pay(guest.auth, id, app);
  t.equal((await call(app, { method: 'POST', url: p.sandboxCompleteUrl })).status, 200);
  t.equal((await call(app, { method: 'POST', url: `/bookings/${id}/check-in`, headers: venue.waiter.auth })).status, 200);
  const moved = await call(app, { method: 'POST', url: `/bookings/${id}/move`, headers: venue.waiter.auth, payload: { roomId: M01 } });
  t.equal(moved.status, 200, moved.raw);
  const total = moved.body.total as number;
  t.ok(total < 24000, `medium for an hour costs ${total}`);

  const out = await call(app, { method: 'POST', url: `/bookings/${id}/check-out`, headers: venue.waiter.auth });
  t.equal(out.status, 200, out.raw);
  t.same(out.body.bill, {
    total,
    paid: 24000,
    due: 0,
    refund: 24000 - total,
    currency: 'CNY',
    lines: [{ kind: 'room', description: 'Room', amount: total }],
  });
  t.same(await types(`payment-${p.paymentId}`, platform.store), [
    'PaymentStarted',
    'PaymentSucceeded',
    'RefundRequested',
    'RefundSucceeded',
  ]);
  const refunded = (await platform.store.readStream(`payment-${p.paymentId}`)).events.find((e) => e.type === 'RefundSucceeded');
  t.match(refunded?.data, { amount: 24000 - total, method: 'sandbox' }, 'through the sandbox that took it');
  const again = await call(app, { method: 'POST', url: `/bookings/${id}/check-out`, headers: venue.waiter.auth });
  t.equal(again.body.bill.refund, 0, 'checking out again refunds nothing more');
  t.equal((await types(`payment-${p.paymentId}`, platform.store)).length, 4);

  await runner.catchUp();
  const tb = await call(app, {
    method: 'GET',
    url: `/ledger/trial-balance?asOf=${addDays(held.body.businessDate, 1)}`,
    headers: manager.auth,
  });
  t.equal(tb.status, 200);
  t.equal(tb.body.balanced, true);
  const { rows } = await sql<{ account: string; n: number }>`
    SELECT account, sum(debit - credit)::float8 AS n FROM rm.journal_lines WHERE booking_id = ${id} GROUP BY account ORDER BY account
  `.execute(platform.db);
  t.same(
    rows,
    [
      { account: '1019', n: total },
      { account: '2203', n: 0 },
      { account: '6001', n: -total },
    ],
    'the sandbox keeps the bill, deposits net to zero, revenue is the bill',
  );
  const read = await call(app, { method: 'GET', url: `/bookings/${id}`, headers: guest.auth });
  t.same(read.body.bill, out.body.bill, 'the booking as read shows the same bill, refund included');
});
