import t from 'tap';
import { stringify } from 'csv-stringify/sync';
import { BillFormatError, parseTradeBill } from '../../../src/payments/trade-bill.js';

const HEADER = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
];

type Detail = {
  tx: string;
  no: string;
  status: string;
  amount: string;
  refund?: string;
  refundNo?: string;
  product?: string;
  attach?: string;
};

/** One detail row as WeChat Pay writes it: every value behind a backtick. */
const cells = (d: Detail) =>
  [
    '2026-11-20 20:01:02',
    'wx123',
    '190000',
    '0',
    '',
    d.tx,
    d.no,
    'oUser',
    'NATIVE',
    d.status,
    'OTHERS',
    'CNY',
    d.amount,
    '0.00',
    d.refundNo ? `5030${d.tx}` : '0',
    d.refundNo ?? '',
    d.refund ?? '0.00',
    '0.00',
    '',
    '',
    d.product ?? 'KTV',
    d.attach ?? '',
    '0.00',
    '0.60%',
    d.amount,
    d.refund ?? '0.00',
    '',
  ].map((v) => `\`${v}`);

const SUMMARY = [
  ['总交易单数', '应结订单总金额', '退款总金额'],
  ['`2', '`88.80', '`0.00'],
];

/** A bill written by a real CSV writer, so values with commas, quotes and line breaks are quoted as RFC 4180 says. */
const bill = (details: Detail[], recordDelimiter: 'unix' | 'windows' = 'unix') =>
  `\uFEFF${stringify([HEADER, ...details.map(cells), ...SUMMARY], { record_delimiter: recordDelimiter })}`;

t.test('quoted values may hold commas, double quotes and line breaks', async (t) => {
  const details: Detail[] = [
    { tx: '42001', no: 'p-1', status: 'SUCCESS', amount: '88.80', product: '包厢, 3 小时', attach: 'say "hi"' },
    {
      tx: '42002',
      no: 'p-2',
      status: 'REFUND',
      amount: '0.00',
      refund: '10.50',
      refundNo: 'p-2-r1',
      product: 'two\nlines',
      attach: 'a,"b",\r\nc',
    },
  ];
  for (const delimiter of ['unix', 'windows'] as const) {
    const text = bill(details, delimiter);
    t.match(text, /"`包厢, 3 小时"/, 'the writer quoted the value with a comma');
    const rows = parseTradeBill(text);
    t.same(
      rows.map((r) => [r.transactionId, r.outTradeNo, r.status, r.amount, r.refundAmount, r.outRefundNo]),
      [
        ['42001', 'p-1', 'SUCCESS', 8880, 0, ''],
        ['42002', 'p-2', 'REFUND', 0, 1050, 'p-2-r1'],
      ],
      `${delimiter} line endings: columns stay in place after quoted values`,
    );
  }
});

t.test('backticks are dropped, blank lines skipped, and the summary section ends the details', async (t) => {
  const text = [
    `\uFEFF${HEADER.join(',')}`,
    cells({ tx: '42001', no: 'p-1', status: 'SUCCESS', amount: '1.00' }).join(','),
    '',
    '   ',
    cells({ tx: '42002', no: 'p-2', status: 'SUCCESS', amount: '2.5' }).join(' , '),
    '总交易单数,应结订单总金额',
    '`2,`3.50',
  ].join('\r\n');
  t.same(
    parseTradeBill(text).map((r) => [r.tradeTime, r.outTradeNo, r.amount]),
    [
      ['2026-11-20 20:01:02', 'p-1', 100],
      ['2026-11-20 20:01:02', 'p-2', 250],
    ],
  );
});

t.test('a stray quote inside an unquoted value is read as text', async (t) => {
  const row = cells({ tx: '42001', no: 'p-1', status: 'SUCCESS', amount: '1.00', product: 'the "Big" room' }).join(',');
  const rows = parseTradeBill(`${HEADER.join(',')}\n${row}\n`);
  t.same(
    rows.map((r) => [r.outTradeNo, r.amount]),
    [['p-1', 100]],
  );
});

t.test('unreadable bills are a BillFormatError, never anything else', async (t) => {
  const header = HEADER.join(',');
  const good = cells({ tx: '42001', no: 'p-1', status: 'SUCCESS', amount: '1.00' }).join(',');
  const cases: Record<string, string> = {
    'quote never closed': `${header}\n${good}\n"\`2026-11-20,\`x\n`,
    'not a bill': 'not,a,bill',
    empty: '',
    'only blank lines': '\n \r\n\n',
    'amount not a number': `${header}\n${cells({ tx: '42001', no: 'p-1', status: 'SUCCESS', amount: 'one yuan' }).join(',')}\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    const thrown = (() => {
      try {
        parseTradeBill(text);
        return null;
      } catch (err) {
        return err;
      }
    })();
    t.ok(thrown instanceof BillFormatError, `${name}: ${String(thrown)}`);
  }
});
