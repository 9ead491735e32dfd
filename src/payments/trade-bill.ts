import { CsvError, parse } from 'csv-parse/sync';

/**
 * WeChat Pay's trade bill (交易账单, "ALL" type) as downloaded from
 * /v3/bill/tradebill: a CSV whose header row is in Chinese, whose every value is
 * prefixed with a backtick, with money in yuan, followed by a summary section
 * that starts with 总交易单数.
 */
export type BillRow = Readonly<{
  tradeTime: string;
  transactionId: string;
  outTradeNo: string;
  /** SUCCESS, REFUND or REVOKED in the bills seen so far; kept as written for anything newer. */
  status: string;
  /** 应结订单金额 (success rows) in fen. */
  amount: number;
  refundAmount: number;
  outRefundNo: string;
}>;

export class BillFormatError extends Error {}

/** The first cell of the summary section's header; the detail rows end there. */
const SUMMARY = '总交易单数';

const COLUMNS = {
  tradeTime: '交易时间',
  transactionId: '微信订单号',
  outTradeNo: '商户订单号',
  status: '交易状态',
  amount: '应结订单金额',
  outRefundNo: '商户退款单号',
  refundAmount: '退款金额',
} as const;

/**
 * The bill's records as cells. csv-parse reads RFC 4180 quoting, so a quoted
 * value may hold commas, doubled quotes and line breaks. The summary section has
 * fewer columns than the details, hence relaxed column counts; a stray quote
 * inside an unquoted value is read as text rather than refusing the whole bill;
 * blank lines are skipped, as before. Cells are trimmed and lose the one backtick
 * WeChat Pay puts before each value (so spreadsheets keep ids as text).
 */
function records(text: string): string[][] {
  let parsed: string[][];
  try {
    parsed = parse(text, {
      bom: true,
      trim: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    });
  } catch (err) {
    if (err instanceof CsvError) throw new BillFormatError(`not a readable CSV: ${err.message}`);
    throw err;
  }
  return parsed.map((record) => record.map((cell) => cell.replace(/^`/, '')));
}

/** Yuan with two decimals to fen, without floating point. */
export function yuanToFen(value: string): number {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(value.replace(/^¥/, ''));
  if (!m) throw new BillFormatError(`not an amount: ${value}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

export function parseTradeBill(text: string): BillRow[] {
  const [header = [], ...details] = records(text);
  const index = Object.fromEntries(Object.entries(COLUMNS).map(([k, name]) => [k, header.indexOf(name)])) as Record<
    keyof typeof COLUMNS,
    number
  >;
  const absent = Object.entries(index)
    .filter(([, i]) => i < 0)
    .map(([k]) => COLUMNS[k as keyof typeof COLUMNS]);
  if (absent.length > 0) throw new BillFormatError(`not a WeChat Pay trade bill: missing columns ${absent.join(', ')}`);
  const rows: BillRow[] = [];
  for (const c of details) {
    if (c[0]?.startsWith(SUMMARY)) break;
    const at = (i: number) => c[i] ?? '';
    rows.push({
      tradeTime: at(index.tradeTime),
      transactionId: at(index.transactionId),
      outTradeNo: at(index.outTradeNo),
      status: at(index.status),
      amount: yuanToFen(at(index.amount) || '0'),
      refundAmount: yuanToFen(at(index.refundAmount) || '0'),
      outRefundNo: at(index.outRefundNo),
    });
  }
  return rows;
}
