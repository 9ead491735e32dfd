import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../../projections/read-models.js';
import { replies } from '../../src/http/schemas.js';
import { dailyClose } from './close.js';
import { closeCsv, closeHtml } from './formats.js';

const Query = Type.Object(
  { date: Type.String({ format: 'date', description: 'the business date, YYYY-MM-DD' }) },
  { additionalProperties: false },
);
const ByMethod = Type.Object({
  cash: Type.Integer(),
  card: Type.Integer(),
  wechatpay: Type.Integer(),
  sandbox: Type.Integer(),
  total: Type.Integer(),
});
const WithStoredValue = Type.Object({ ...ByMethod.properties, stored_value: Type.Integer() });

const Close = Type.Object({
  businessDate: Type.String(),
  revenue: Type.Object({
    room: Type.Integer(),
    products: Type.Integer(),
    adjustments: Type.Integer(),
    refundsAfterCheckOut: Type.Integer(),
    forfeitedDeposits: Type.Integer(),
    net: Type.Integer(),
    vat: Type.Integer(),
    total: Type.Integer(),
  }),
  payments: WithStoredValue,
  topUps: ByMethod,
  refunds: WithStoredValue,
  storedValue: Type.Object({
    sold: Type.Integer(),
    bonusGranted: Type.Integer(),
    usedPaid: Type.Integer(),
    usedBonus: Type.Integer(),
    returned: Type.Integer(),
    bonusLapsed: Type.Integer(),
    owedChange: Type.Integer(),
  }),
  deposits: Type.Object({ received: Type.Integer(), forfeited: Type.Integer() }),
  overtimeBilled: Type.Integer({ description: 'overtime on the bills closed that day, tax included (within room revenue)' }),
  ledger: Type.Object({ debit: Type.Integer(), credit: Type.Integer(), balanced: Type.Boolean() }),
  shifts: Type.Array(
    Type.Object({
      shiftId: Type.String(),
      staffId: Type.String(),
      openedAt: Type.String(),
      closedAt: Type.String(),
      openingCash: Type.Integer(),
      expectedCash: Type.Integer(),
      countedCash: Type.Integer(),
      difference: Type.Integer(),
      reason: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  outsideShifts: Type.Array(Type.Object({ kind: Type.String(), method: Type.String(), amount: Type.Integer() })),
  currency: Type.Literal('CNY'),
});

/** The daily close (日结): JSON, CSV and a printable page, all from the same figures. */
export const dailyCloseQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (
  app,
  { readModels: db },
) => {
  const schema = (summary: string, produces?: string) => ({
    tags: ['reports'],
    summary,
    querystring: Query,
    ...(produces ? { produces: [produces] } : {}),
  });
  app.get(
    '/reports/daily-close',
    {
      config: { permission: 'day_close:read' },
      schema: {
        ...schema(
          'The daily close of a business day, from the ledger to the fen: revenue by category, money by method, stored value, shifts',
        ),
        description:
          'Revenue is net of VAT by category (adjustments and refunds after check-out negative); `revenue.total` is what the revenue report ' +
          'counts for the day; `overtimeBilled` is the overtime inside room revenue, as billed (tax included). ' +
          'Money by method is what the journal debited (payments, top-ups) or credited (refunds) to each clearing account. ' +
          'Shifts are those closed during the day; `outsideShifts` is desk money taken with no shift open.',
        response: replies({ 200: Close }),
      },
    },
    async (request) => dailyClose(db, request.query.date),
  );
  app.get(
    '/reports/daily-close.csv',
    {
      config: { permission: 'day_close:read' },
      schema: {
        ...schema('The daily close as CSV (section, item, fen)', 'text/csv'),
        response: replies({ 200: Type.String({ description: 'RFC 4180 CSV' }) }),
      },
    },
    async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="daily-close-${request.query.date}.csv"`)
        .send(closeCsv(await dailyClose(db, request.query.date))),
  );
  app.get(
    '/reports/daily-close.html',
    {
      config: { permission: 'day_close:read' },
      schema: {
        ...schema('The daily close as a printable page (A4 or 80 mm)', 'text/html'),
        response: replies({ 200: Type.String({ description: 'text/html' }) }),
      },
    },
    async (request, reply) => reply.type('text/html; charset=utf-8').send(closeHtml(await dailyClose(db, request.query.date))),
  );
};
