import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import type { ReadModels } from '../projections/read-models.js';
import { replies } from '../src/http/schemas.js';
import { ValidationError } from '../src/errors.js';

const BusinessDate = Type.String({ format: 'date', description: 'A business date, YYYY-MM-DD' });
const Period = Type.Object({ from: BusinessDate, to: BusinessDate }, { additionalProperties: false });

const FapiaoRequest = Type.Object({
  bookingId: Type.String(),
  businessDate: Type.String(),
  buyerKind: Type.Union([Type.Literal('personal'), Type.Literal('company')]),
  buyerName: Type.String(),
  taxId: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Integer({ description: 'fen, VAT included' }),
  tax: Type.Integer({ description: 'fen' }),
  taxRatePercent: Type.Integer(),
  requestedBy: Type.String(),
  requestedAt: Type.String(),
});

/** The item name on every line: a KTV's room time and drinks are 生活服务 (entertainment services). */
const ITEM_NAME = '*生活服务*娱乐服务';

async function requestsIn(db: Kysely<ReadModels>, from: string, to: string) {
  if (from > to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
  const rows = await db
    .selectFrom('fapiao_requests as f')
    .innerJoin('bookings as b', 'b.booking_id', 'f.booking_id')
    .selectAll('f')
    .select(sql<string>`b.business_date::text`.as('business_date'))
    .where('b.business_date', '>=', from)
    .where('b.business_date', '<=', to)
    .orderBy('f.requested_at')
    .orderBy('f.booking_id')
    .execute();
  return rows.map((r) => ({
    bookingId: r.booking_id,
    businessDate: r.business_date,
    buyerKind: r.buyer_kind,
    buyerName: r.buyer_name,
    taxId: r.tax_id,
    email: r.email,
    amount: Number(r.amount),
    tax: Number(r.tax),
    taxRatePercent: r.tax_rate_percent,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at.toISOString(),
  }));
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

/**
 * The CSV an invoicing tool imports: Chinese headers, money in yuan with two decimals, a BOM so
 * spreadsheet programs read it as UTF-8.
 */
function toCsv(rows: Awaited<ReturnType<typeof requestsIn>>): string {
  const lines = rows.map((r) => ({
    businessDate: r.businessDate,
    bookingId: r.bookingId,
    kind: '普通发票',
    buyerKind: r.buyerKind === 'company' ? '单位' : '个人',
    buyerName: r.buyerName,
    taxId: r.taxId ?? '',
    email: r.email ?? '',
    item: ITEM_NAME,
    amount: yuan(r.amount),
    rate: `${r.taxRatePercent}%`,
    tax: yuan(r.tax),
    net: yuan(r.amount - r.tax),
  }));
  const columns = [
    { key: 'businessDate', header: '营业日' },
    { key: 'bookingId', header: '单号' },
    { key: 'kind', header: '发票种类' },
    { key: 'buyerKind', header: '购买方类型' },
    { key: 'buyerName', header: '购买方名称' },
    { key: 'taxId', header: '购买方纳税人识别号' },
    { key: 'email', header: '收票邮箱' },
    { key: 'item', header: '项目名称' },
    { key: 'amount', header: '含税金额' },
    { key: 'rate', header: '税率' },
    { key: 'tax', header: '税额' },
    { key: 'net', header: '不含税金额' },
  ];
  return `\uFEFF${stringify(lines, { header: true, columns })}`;
}

/** Fapiao requests of bookings in these business dates, from `rm.fapiao_requests`, for the accountant. */
export const fapiaoQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, { readModels: db }) => {
  app.get(
    '/fapiao-requests',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['ledger'],
        summary: 'Fapiao requests of bills of these business dates',
        querystring: Period,
        response: replies({ 200: Type.Array(FapiaoRequest) }),
      },
    },
    async (request) => requestsIn(db, request.query.from, request.query.to),
  );
  app.get(
    '/fapiao-requests.csv',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['ledger'],
        summary: 'The same as CSV for the invoicing tool: Chinese headers, money in yuan',
        querystring: Period,
        produces: ['text/csv'],
        response: replies({ 200: Type.String({ description: 'RFC 4180 CSV with a header row, UTF-8 with a BOM' }) }),
      },
    },
    async (request, reply) => {
      const csv = toCsv(await requestsIn(db, request.query.from, request.query.to));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="fapiao-${request.query.from}-${request.query.to}.csv"`)
        .send(csv);
    },
  );
};
