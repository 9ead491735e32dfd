import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { parseTradeBill, yuanToFen } from '../../src/payments/trade-bill.js';
import { outTradeNoOf } from '../../src/payments/wechatpay/ids.js';
import { HEADER, row } from '../helpers/trade-bill.js';

t.test('the trade bill parser reads WeChat Pay’s format, money in fen without rounding', async (t) => {
  t.equal(yuanToFen('12.30'), 1230);
  t.equal(yuanToFen('0.07'), 7);
  t.equal(yuanToFen('5'), 500);
  const rows = parseTradeBill(
    `\uFEFF${HEADER}\n${row('2026-11-20 20:01:02', '42001', 'p-1', 'SUCCESS', '88.80')}\n总交易单数,应结订单总金额\n\`1,\`88.80\n`,
  );
  t.same(
    rows.map((r) => [r.outTradeNo, r.status, r.amount]),
    [['p-1', 'SUCCESS', 8880]],
  );
  t.throws(() => parseTradeBill('a,b,c\n1,2,3'), /missing columns/);
});

t.test('reconciling a bill reports payments missing on either side and differing amounts', async (t) => {
  const { app, platform, runner } = await startTestService(t);
  const accountant = await signUp(app, platform.store, 'accountant');
  const at = '2026-11-20T12:00:00.000Z';
  const ids = { ok: randomUUID(), wrongAmount: randomUUID(), notInBill: randomUUID() };
  for (const [name, id] of Object.entries(ids)) {
    await platform.store.appendToStream(
      `payment-${id}`,
      [
        {
          id: randomUUID(),
          type: 'PaymentStarted',
          data: {
            paymentId: id,
            bookingId: `b-${name}`,
            purpose: 'deposit',
            method: 'wechatpay',
            amount: 5000,
            providerOrderId: null,
            by: 'x',
            at,
          },
        },
        {
          id: randomUUID(),
          type: 'PaymentSucceeded',
          data: {
            paymentId: id,
            bookingId: `b-${name}`,
            method: 'wechatpay',
            purpose: 'deposit',
            transactionId: `tx-${name}`,
            amount: 5000,
            paidAt: at,
            at,
          },
        },
      ],
      'no_stream',
    );
  }
  await runner.catchUp();
  const stranger = randomUUID();
  // The bill names payments by out_trade_no: our ids without their hyphens.
  const bill = [
    HEADER,
    row('2026-11-20 20:00:00', 'tx-ok', outTradeNoOf(ids.ok), 'SUCCESS', '50.00'),
    row('2026-11-20 20:05:00', 'tx-w', outTradeNoOf(ids.wrongAmount), 'SUCCESS', '49.99'),
    row('2026-11-20 21:00:00', 'tx-s', outTradeNoOf(stranger), 'SUCCESS', '10.00'),
    '总交易单数,应结订单总金额',
    '`3,`109.99',
  ].join('\n');
  const r = await call(app, {
    method: 'POST',
    url: '/reconciliation/wechatpay?from=2026-11-19T16:00:00Z&to=2026-11-20T16:00:00Z',
    headers: { ...accountant.auth, 'content-type': 'text/csv' },
    payload: bill,
  });
  t.equal(r.status, 200, r.raw);
  t.equal(r.body.matched, 1);
  t.same(
    [...r.body.mismatches].sort((a: { kind: string }, b: { kind: string }) => a.kind.localeCompare(b.kind)),
    [
      { paymentId: ids.wrongAmount, kind: 'amount_differs', ours: 5000, theirs: 4999 },
      { paymentId: stranger, kind: 'missing_here', ours: null, theirs: 1000 },
      { paymentId: ids.notInBill, kind: 'missing_in_bill', ours: 5000, theirs: null },
    ],
  );
  const bad = await call(app, {
    method: 'POST',
    url: '/reconciliation/wechatpay?from=2026-11-19T16:00:00Z&to=2026-11-20T16:00:00Z',
    headers: { ...accountant.auth, 'content-type': 'text/csv' },
    payload: 'not,a,bill',
  });
  t.equal(bad.status, 422);
  t.equal(bad.body.code, 'bad_trade_bill');
  const unclosed = await call(app, {
    method: 'POST',
    url: '/reconciliation/wechatpay?from=2026-11-19T16:00:00Z&to=2026-11-20T16:00:00Z',
    headers: { ...accountant.auth, 'content-type': 'text/csv' },
    payload: `${bill}\n"\`open quote,\`1`,
  });
  t.equal(unclosed.status, 422, 'a quote never closed is a bad bill, not a server error');
  t.equal(unclosed.body.code, 'bad_trade_bill');
  t.equal(
    (
      await call(app, {
        method: 'POST',
        url: '/reconciliation/wechatpay?from=2026-11-19T16:00:00Z&to=2026-11-20T16:00:00Z',
        headers: { ...(await signUp(app, platform.store, 'guest')).auth, 'content-type': 'text/csv' },
        payload: bill,
      })
    ).status,
    403,
  );
});
