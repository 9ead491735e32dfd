import t from 'tap';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { exportCsv, yuan, type ExportFormat } from '../../queries/ledger-exports.js';
import type { EntryLine } from '../../queries/ledger.js';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';

/**
 * Voucher exports, checked column by column against sample import files written from Kingdee's and
 * Yonyou's voucher import layouts (test/queries/samples/): three entries over two months, so
 * voucher numbers restart in April, and a memo with a comma, so quoting is exercised.
 */
const line = (
  entryId: string,
  businessDate: string,
  lineNo: number,
  account: string,
  debit: number,
  credit: number,
  description: string,
): EntryLine => ({
  entryId,
  businessDate,
  bookingId: null,
  eventType: 'x',
  source: 'automatic',
  originalDate: null,
  reverses: null,
  description,
  lineNo,
  account,
  debit,
  credit,
});
const LINES = [
  line('e-1', '2026-03-13', 1, '1012', 8820, 0, 'wechatpay deposit received'),
  line('e-1', '2026-03-13', 2, '2203', 0, 8820, 'wechatpay deposit received'),
  line('e-2', '2026-03-20', 1, '6003', 120000, 0, 'March rent, accrued'),
  line('e-2', '2026-03-20', 2, '1001', 0, 120000, 'March rent, accrued'),
  line('e-3', '2026-04-01', 1, '2203', 8820, 0, 'wechatpay refund'),
  line('e-3', '2026-04-01', 2, '1012', 0, 8820, 'wechatpay refund'),
];

const sample = (name: string) => readFile(new URL(`samples/${name}`, import.meta.url), 'utf8');
const table = (csv: string): string[][] => parse(csv, { bom: true });

t.test('yuan() writes fen exactly with two decimals', async (t) => {
  t.same([yuan(0), yuan(7), yuan(8820), yuan(120000), yuan(-5)], ['0.00', '0.07', '88.20', '1200.00', '-0.05']);
});

for (const [format, file] of [
  ['kingdee', 'kingdee-vouchers.csv'],
  ['yonyou', 'yonyou-vouchers.csv'],
] as const) {
  t.test(`${format}: the sample import file, column by column, with a UTF-8 BOM`, async (t) => {
    const expected = await sample(file);
    const csv = exportCsv(format, LINES, '张会计');
    t.ok(csv.startsWith('\uFEFF'), 'a BOM, so Excel reads UTF-8');
    const [want, got] = [table(expected), table(csv)];
    t.same(got[0], want[0], 'the header names, in order');
    t.equal(got.length, want.length, 'one row per line');
    want.slice(1).forEach((row, r) => row.forEach((cell, c) => t.equal(got[r + 1]?.[c], cell, `row ${r + 1}, ${want[0]![c]}`)));
    t.equal(csv, expected, 'byte for byte');
  });
}

t.test('double-entry: every line with its voucher, balanced per voucher, no BOM', async (t) => {
  const rows = table(exportCsv('double-entry', LINES, 'x'));
  t.same(rows[0], ['date', 'voucher', 'entry_id', 'line', 'description', 'account', 'account_name', 'debit', 'credit', 'source']);
  t.same(
    rows.slice(1).map((r) => r[1]),
    ['2026-03/1', '2026-03/1', '2026-03/2', '2026-03/2', '2026-04/1', '2026-04/1'],
  );
  t.notOk(exportCsv('double-entry', LINES, 'x').startsWith('\uFEFF'));
});

t.test('GET /ledger/exports/:format serves the file to accountants', async (t) => {
  const { app, platform } = await startTestService(t);
  const accountant = await signUp(app, platform.store, 'accountant');
  for (const format of ['kingdee', 'yonyou', 'double-entry'] satisfies ExportFormat[]) {
    const r = await call(app, { method: 'GET', url: `/ledger/exports/${format}?from=2026-03-01&to=2026-03-31`, headers: accountant.auth });
    t.equal(r.status, 200, r.raw);
    t.match(r.headers['content-type'], /^text\/csv/);
    t.equal(table(r.raw).length, 1, 'an empty period is the header alone');
  }
  const waiter = await signUp(app, platform.store, 'waiter');
  t.equal(
    (await call(app, { method: 'GET', url: '/ledger/exports/kingdee?from=2026-03-01&to=2026-03-31', headers: waiter.auth })).status,
    403,
  );
  t.equal(
    (await call(app, { method: 'GET', url: '/ledger/exports/sap?from=2026-03-01&to=2026-03-31', headers: accountant.auth })).status,
    422,
  );
});
