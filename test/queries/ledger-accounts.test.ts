import t from 'tap';
import { randomUUID } from 'node:crypto';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { paymentStream, type PaymentEvent } from '../../src/events/payments.js';
import { ACCOUNTS } from '../../projections/ledger/accounts.js';
import { paymentStarted, paymentSucceeded, refundFailed, refundRequested, refundSucceeded } from '../projections/fixtures.js';

/**
 * What an accountant reads besides the journal: the chart of accounts, one account's statement
 * with its running balance, and the period's payments and refunds by method and status. Two
 * deposits on 2026-03-13 (WeChat Pay 88.20, cash 50.00), the first refunded at once, the second's
 * refund failed.
 */
const { app, platform, runner } = await startTestService(t);
const accountant = await signUp(app, platform.store, 'accountant');
const get = (url: string) => call(app, { method: 'GET', url, headers: accountant.auth });
const record = (id: string, events: PaymentEvent[]) =>
  platform.store.appendToStream(
    paymentStream(id),
    events.map((e) => ({ id: randomUUID(), ...e })),
    'any',
  );
const [wechat, cash] = [randomUUID(), randomUUID()];
await record(wechat, [
  paymentStarted(wechat, 8820),
  paymentSucceeded(wechat, 8820),
  refundRequested(wechat, 'rf-1', 8820),
  refundSucceeded(wechat, 'rf-1', 8820),
]);
await record(cash, [
  paymentStarted(cash, 5000, { method: 'cash', hhmm: '20:00' }),
  paymentSucceeded(cash, 5000, { method: 'cash', hhmm: '20:00' }),
  refundRequested(cash, 'rf-2', 5000, '20:30'),
  refundFailed(cash, 'rf-2', '20:40'),
]);
await runner.catchUp();

t.test('the chart of accounts is data, every account of the ledger in it', async (t) => {
  const chart = await get('/ledger/accounts');
  t.equal(chart.status, 200);
  t.same(
    chart.body.map((a: { code: string }) => a.code),
    Object.values(ACCOUNTS)
      .map((a) => a.code)
      .sort(),
  );
  t.match(
    chart.body.find((a: { code: string }) => a.code === '2203'),
    { name: 'Customer deposits received', class: 'liability', normalBalance: 'credit' },
  );
});

t.test("an account's statement: every line in order with the running balance", async (t) => {
  const r = await get('/ledger/accounts/2203/statement?from=2026-03-13&to=2026-03-13');
  t.equal(r.status, 200, r.raw);
  t.match(r.body, {
    account: '2203',
    openingBalance: 0,
    lines: [
      { credit: 8820, balance: -8820 },
      { debit: 8820, balance: 0 },
      { credit: 5000, balance: -5000 },
    ],
    closingBalance: -5000,
  });
  const later = await get('/ledger/accounts/2203/statement?from=2026-03-14&to=2026-03-31');
  t.match(later.body, { openingBalance: -5000, lines: [], closingBalance: -5000 }, 'the balance is brought forward');
  t.equal((await get('/ledger/accounts/9999/statement?from=2026-03-13&to=2026-03-13')).status, 404);
});

t.test('payments and refunds of a period, by method and status', async (t) => {
  const all = await get('/ledger/payments?from=2026-03-13&to=2026-03-13');
  t.equal(all.status, 200, all.raw);
  t.same(
    all.body.payments.map((p: { paymentId: string; method: string; status: string }) => [p.paymentId, p.method, p.status]),
    [
      [wechat, 'wechatpay', 'succeeded'],
      [cash, 'cash', 'succeeded'],
    ],
  );
  t.match(all.body.refunds, [
    { refundId: 'rf-1', method: 'wechatpay', amount: 8820, status: 'succeeded', businessDate: '2026-03-13' },
    { refundId: 'rf-2', method: 'cash', status: 'failed', failure: 'account closed' },
  ]);
  const cashOnly = await get('/ledger/payments?from=2026-03-13&to=2026-03-13&method=cash');
  t.same(
    cashOnly.body.payments.map((p: { paymentId: string }) => p.paymentId),
    [cash],
  );
  const failed = await get('/ledger/payments?from=2026-03-13&to=2026-03-13&status=failed');
  t.same([failed.body.payments.length, failed.body.refunds.map((r: { refundId: string }) => r.refundId)], [0, ['rf-2']]);
  t.same((await get('/ledger/payments?from=2026-03-14&to=2026-03-14')).body, { payments: [], refunds: [] });
});
