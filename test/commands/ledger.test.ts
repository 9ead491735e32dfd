import t from 'tap';
import { randomUUID } from 'node:crypto';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { paymentStream, type PaymentEvent } from '../../src/events/payments.js';
import { paymentStarted, paymentSucceeded, refundRequested, refundSucceeded } from '../projections/fixtures.js';

/**
 * The accountant's books over HTTP: closing a period, a late refund moved out of it, manual
 * entries (refused unbalanced or in a closed period), their reversal, and the admin's reopening.
 * The fixtures' payment is on 2026-03-13 (a date long past).
 */
const { app, platform, runner } = await startTestService(t);
const accountant = await signUp(app, platform.store, 'accountant');
const admin = await signUp(app, platform.store, 'admin');
const manager = await signUp(app, platform.store, 'manager');
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const get = (url: string, auth: Record<string, string>) => call(app, { method: 'GET', url, headers: auth });
const append = (events: readonly PaymentEvent[]) =>
  platform.store.appendToStream(
    paymentStream('pay-1'),
    events.map((e) => ({ id: randomUUID(), ...e })),
    'any',
  );
const rent = {
  date: '2026-03-12',
  memo: 'March rent accrued',
  lines: [
    { account: '6003', debit: 120000, credit: 0 },
    { account: '1001', debit: 0, credit: 120000 },
  ],
  attachments: ['lease invoice 2026-03'],
};

t.test('a manual entry is posted as an event and listed apart from automatic postings', async (t) => {
  const created = await post('/ledger/entries', accountant.auth, rent);
  t.equal(created.status, 201, created.raw);
  await runner.catchUp();
  const manual = await get('/ledger/entries?from=2026-03-01&to=2026-03-31&source=manual', accountant.auth);
  t.match(manual.body, [
    {
      entryId: created.body.entryId,
      businessDate: '2026-03-12',
      source: 'manual',
      description: 'March rent accrued',
      account: '6003',
      debit: 120000,
    },
    { entryId: created.body.entryId, lineNo: 2, account: '1001', credit: 120000 },
  ]);
  t.notOk('bookingId' in manual.body[0], 'a manual entry has no booking');

  const unbalanced = await post('/ledger/entries', accountant.auth, {
    ...rent,
    lines: [rent.lines[0], { account: '1001', debit: 0, credit: 1 }],
  });
  t.match(unbalanced, { status: 422, body: { code: 'unbalanced' } });
  const waiter = await signUp(app, platform.store, 'waiter');
  t.equal((await post('/ledger/entries', waiter.auth, rent)).status, 403, 'a waiter may not post');
});

t.test('closing a period, then a late refund: it posts on the first open date, naming its own', async (t) => {
  await append([paymentStarted('pay-1', 8820), paymentSucceeded('pay-1', 8820), refundRequested('pay-1', 'rf-1', 8820)]);
  const close = await post('/ledger/periods', accountant.auth, { from: '2026-03-01', to: '2026-03-13' });
  t.match(close, { status: 201, body: { from: '2026-03-01', to: '2026-03-13', closedAt: String } });
  t.same(
    (await post('/ledger/periods', accountant.auth, { from: '2026-03-01', to: '2026-03-13' })).body,
    close.body,
    'closing it again changes nothing',
  );
  await append([refundSucceeded('pay-1', 'rf-1', 8820, { hhmm: '19:40' })]);
  await runner.catchUp();

  const lines = (await get('/ledger/entries?from=2026-03-01&to=2026-03-31&source=automatic', accountant.auth)).body as {
    businessDate: string;
    eventType: string;
    description: string;
    originalDate?: string;
  }[];
  t.match(
    lines.filter((l) => l.eventType === 'RefundSucceeded'),
    [
      { businessDate: '2026-03-14', originalDate: '2026-03-13', description: /late posting for 2026-03-13/ },
      { businessDate: '2026-03-14', originalDate: '2026-03-13' },
    ],
  );
  t.match(await post('/ledger/entries', accountant.auth, { ...rent, date: '2026-03-05' }), {
    status: 409,
    body: { code: 'period_closed' },
  });

  const periods = await get('/ledger/periods', manager.auth);
  t.match(periods, { status: 200, body: [{ from: '2026-03-01', to: '2026-03-13', closedBy: accountant.userId }] });
  const tb = await get('/ledger/trial-balance?asOf=2026-03-13', accountant.auth);
  t.match(tb.body, { asOfClosed: true, balanced: true, closedPeriods: [{ from: '2026-03-01', to: '2026-03-13' }] });
  const report = await get('/reports/revenue?from=2026-03-10&to=2026-03-20', accountant.auth);
  t.match(report.body.closedPeriods, [{ from: '2026-03-01', to: '2026-03-13' }], 'reports say which periods are closed');
});

t.test('a manual entry is undone only by a reversing entry, once', async (t) => {
  const { entryId } = (await post('/ledger/entries', accountant.auth, { ...rent, date: '2026-03-20' })).body as { entryId: string };
  const reversal = await post(`/ledger/entries/${entryId}/reverse`, accountant.auth, { date: '2026-03-21' });
  t.match(reversal, { status: 201, body: { reverses: entryId } });
  t.match(await post(`/ledger/entries/${entryId}/reverse`, accountant.auth, { date: '2026-03-21' }), {
    status: 409,
    body: { code: 'already_reversed' },
  });
  t.equal((await post(`/ledger/entries/${randomUUID()}/reverse`, accountant.auth, { date: '2026-03-21' })).status, 404);
  await runner.catchUp();
  const lines = (await get('/ledger/entries?from=2026-03-21&to=2026-03-21&source=manual', accountant.auth)).body;
  t.match(lines, [
    { reverses: entryId, account: '6003', debit: 0, credit: 120000, description: `reversal of ${entryId}` },
    { reverses: entryId, account: '1001', debit: 120000, credit: 0 },
  ]);
});

t.test('reopening is for admins, and leaves a trail', async (t) => {
  const body = { from: '2026-03-01', to: '2026-03-13', reason: 'supplier invoice found late' };
  t.equal((await post('/ledger/periods/reopen', accountant.auth, body)).status, 403, 'an accountant may not reopen');
  t.match(await post('/ledger/periods/reopen', admin.auth, body), { status: 200, body: { from: '2026-03-01', reopenedAt: String } });
  await runner.catchUp();
  t.same((await get('/ledger/periods', accountant.auth)).body, [], 'no period is closed any more');
  t.match((await get('/ledger/periods?history=true', accountant.auth)).body, [
    { from: '2026-03-01', closedBy: accountant.userId, reopenedBy: admin.userId, reason: 'supplier invoice found late' },
  ]);
  t.equal(
    (await post('/ledger/entries', accountant.auth, { ...rent, date: '2026-03-05' })).status,
    201,
    'the reopened dates take entries again',
  );
});
