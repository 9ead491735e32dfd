import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { accountName } from '../projections/ledger/accounts.js';
import { ValidationError } from '../src/errors.js';
import { replies } from '../src/http/schemas.js';
import { entriesIn, type EntryLine } from './ledger.js';

/** Fen as yuan with two decimals, exactly (no floating point on the way). */
export const yuan = (fen: number): string =>
  `${fen < 0 ? '-' : ''}${Math.trunc(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

/** A journal line inside its voucher (凭证): one voucher per entry, numbered from 1 in each month (会计期间). */
export type VoucherLine = EntryLine & Readonly<{ year: number; period: number; voucherNo: number }>;

export function vouchers(lines: readonly EntryLine[]): VoucherLine[] {
  const numbers = new Map<string, number>();
  const perMonth = new Map<string, number>();
  return lines.map((l) => {
    const month = l.businessDate.slice(0, 7);
    let no = numbers.get(l.entryId);
    if (no === undefined) {
      no = (perMonth.get(month) ?? 0) + 1;
      perMonth.set(month, no);
      numbers.set(l.entryId, no);
    }
    return { ...l, year: Number(month.slice(0, 4)), period: Number(month.slice(5, 7)), voucherNo: no };
  });
}

type Column = Readonly<{ header: string; value: (l: VoucherLine, preparer: string) => string | number }>;

/**
 * Kingdee (金蝶 KIS / K/3) 凭证引入: the columns of its voucher import template, one row per
 * entry line (分录), money in yuan. 凭证字 is 记 (general voucher); 币别 is RMB.
 */
export const KINGDEE: readonly Column[] = [
  { header: '会计年度', value: (l) => l.year },
  { header: '会计期间', value: (l) => l.period },
  { header: '凭证日期', value: (l) => l.businessDate },
  { header: '凭证字', value: () => '记' },
  { header: '凭证号', value: (l) => l.voucherNo },
  { header: '分录号', value: (l) => l.lineNo },
  { header: '摘要', value: (l) => l.description },
  { header: '科目代码', value: (l) => l.account },
  { header: '科目名称', value: (l) => accountName(l.account) },
  { header: '币别代码', value: () => 'RMB' },
  { header: '币别名称', value: () => '人民币' },
  { header: '原币金额', value: (l) => yuan(l.debit + l.credit) },
  { header: '借方', value: (l) => yuan(l.debit) },
  { header: '贷方', value: (l) => yuan(l.credit) },
  { header: '制单', value: (_l, preparer) => preparer },
  { header: '附件数', value: () => 0 },
  { header: '参考信息', value: (l) => l.entryId },
];

/**
 * Yonyou (用友 U8 / T3) 凭证引入, the fields of its general-ledger voucher table (gl_accvouch:
 * iperiod, csign, ino_id, inid, dbill_date, idoc, cbill, cdigest, ccode, md, mc) under their
 * Chinese names, money in yuan.
 */
export const YONYOU: readonly Column[] = [
  { header: '会计期间', value: (l) => l.period },
  { header: '凭证类别字', value: () => '记' },
  { header: '凭证编号', value: (l) => l.voucherNo },
  { header: '行号', value: (l) => l.lineNo },
  { header: '制单日期', value: (l) => l.businessDate },
  { header: '附单据数', value: () => 0 },
  { header: '制单人', value: (_l, preparer) => preparer },
  { header: '摘要', value: (l) => l.description },
  { header: '科目编码', value: (l) => l.account },
  { header: '借方金额', value: (l) => yuan(l.debit) },
  { header: '贷方金额', value: (l) => yuan(l.credit) },
];

/** Plain double-entry CSV for any other tool: one row per line, money in yuan, the voucher number beside our entry id. */
export const DOUBLE_ENTRY: readonly Column[] = [
  { header: 'date', value: (l) => l.businessDate },
  { header: 'voucher', value: (l) => `${l.year}-${String(l.period).padStart(2, '0')}/${l.voucherNo}` },
  { header: 'entry_id', value: (l) => l.entryId },
  { header: 'line', value: (l) => l.lineNo },
  { header: 'description', value: (l) => l.description },
  { header: 'account', value: (l) => l.account },
  { header: 'account_name', value: (l) => accountName(l.account) },
  { header: 'debit', value: (l) => yuan(l.debit) },
  { header: 'credit', value: (l) => yuan(l.credit) },
  { header: 'source', value: (l) => l.source },
];

export const FORMATS = {
  // Excel, through which both packages' import templates are usually filled, reads UTF-8 only after a BOM.
  kingdee: { columns: KINGDEE, bom: true },
  yonyou: { columns: YONYOU, bom: true },
  'double-entry': { columns: DOUBLE_ENTRY, bom: false },
} as const;
export type ExportFormat = keyof typeof FORMATS;

export function exportCsv(format: ExportFormat, lines: readonly EntryLine[], preparer: string): string {
  const { columns, bom } = FORMATS[format];
  return stringify(
    vouchers(lines).map((l) => columns.map((c) => c.value(l, preparer))),
    { header: true, columns: columns.map((c) => c.header), bom },
  );
}

export const ledgerExportQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, { readModels }) => {
  app.get(
    '/ledger/exports/:format',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary: 'Journal vouchers of business dates from..to as CSV for Kingdee (金蝶), Yonyou (用友), or plain double-entry',
        description:
          'One voucher per journal entry, numbered from 1 in each month; money in yuan with two decimals. The Kingdee and Yonyou files are UTF-8 with a BOM. Columns: see the README.',
        params: Type.Object({ format: Type.Union([Type.Literal('kingdee'), Type.Literal('yonyou'), Type.Literal('double-entry')]) }),
        querystring: Type.Object(
          {
            from: Type.String({ format: 'date' }),
            to: Type.String({ format: 'date' }),
            preparer: Type.String({
              minLength: 1,
              maxLength: 40,
              default: 'KTV',
              description: '制单: the preparer named on every voucher',
            }),
          },
          { additionalProperties: false },
        ),
        produces: ['text/csv'],
        response: replies({ 200: Type.String({ description: 'CSV with a header row' }) }),
      },
    },
    async (request, reply) => {
      const { format } = request.params;
      const { from, to, preparer } = request.query;
      if (from > to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
      const csv = exportCsv(format, await entriesIn(readModels, from, to), preparer);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="vouchers-${format}-${from}-${to}.csv"`)
        .send(csv);
    },
  );
};
