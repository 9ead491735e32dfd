import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { ACCOUNTS } from '../projections/ledger/accounts.js';
import { NotFoundError, ValidationError } from '../src/errors.js';
import { replies } from '../src/http/schemas.js';
import { businessDayBounds } from '../domain/venue/settings.js';
import { venueSettings } from './venue.js';

const BusinessDate = Type.String({ format: 'date', description: 'A business date, YYYY-MM-DD' });

/** The class of an account, from the first digit of its code (China's Accounting Standards for Business Enterprises). */
const CLASSES = { '1': 'asset', '2': 'liability', '3': 'common', '4': 'equity', '5': 'cost', '6': 'income_expense' } as const;
const classOf = (code: string) => CLASSES[code[0] as keyof typeof CLASSES] ?? 'other';

/** The chart of accounts as data: code, name, class, and the side its balance normally sits on. */
export const chartOfAccounts = () =>
  Object.values(ACCOUNTS)
    .map(({ code, name }) => ({ code, name, class: classOf(code), normalBalance: code < '2' ? ('debit' as const) : ('credit' as const) }))
    .sort((a, b) => a.code.localeCompare(b.code));

function checkPeriod(from: string, to: string): void {
  if (from > to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
}

/** Every line of one account from..to with the running balance (debit minus credit), after the balance brought forward. */
export async function statement(db: Kysely<ReadModels>, account: string, from: string, to: string) {
  const opening = await sql<{ balance: number }>`
    SELECT coalesce(sum(debit - credit), 0)::float8 AS balance FROM rm.journal_lines WHERE account = ${account} AND business_date < ${from}::date`.execute(
    db,
  );
  const { rows } = await sql<{
    businessDate: string;
    entryId: string;
    lineNo: number;
    description: string;
    source: string;
    bookingId: string | null;
    debit: number;
    credit: number;
  }>`
    SELECT l.business_date::text AS "businessDate", l.entry_id AS "entryId", l.line_no AS "lineNo", e.description, e.source,
           l.booking_id AS "bookingId", l.debit::float8 AS debit, l.credit::float8 AS credit
    FROM rm.journal_lines l JOIN rm.journal_entries e USING (entry_id)
    WHERE l.account = ${account} AND l.business_date BETWEEN ${from}::date AND ${to}::date
    ORDER BY l.business_date, e.posted_at, l.entry_id, l.line_no`.execute(db);
  let balance = opening.rows[0]?.balance ?? 0;
  const openingBalance = balance;
  const lines = rows.map(({ bookingId, ...l }) => {
    balance += l.debit - l.credit;
    return { ...l, ...(bookingId === null ? {} : { bookingId }), balance };
  });
  return { openingBalance, lines, closingBalance: balance };
}

/** Payments (by the business date they were paid, or started when unpaid) and refunds (by the date requested). */
export async function moneyMovements(db: Kysely<ReadModels>, from: string, to: string, filter: { method?: string; status?: string }) {
  const venue = await venueSettings(db);
  const start = businessDayBounds(from, venue).start;
  const end = businessDayBounds(to, venue).end;
  const payments = await db
    .selectFrom('payments')
    .select(['payment_id', 'booking_id', 'purpose', 'method', 'amount', 'status', 'transaction_id', 'paid_at', 'started_at', 'refunded'])
    .where(sql`coalesce(paid_at, started_at)`, '>=', start)
    .where(sql`coalesce(paid_at, started_at)`, '<', end)
    .$if(filter.method !== undefined, (q) => q.where('method', '=', filter.method as never))
    .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status as never))
    .orderBy(sql`coalesce(paid_at, started_at)`)
    .execute();
  const refunds = await db
    .selectFrom('ledger_refunds as r')
    .leftJoin('payments as p', 'p.payment_id', 'r.payment_id')
    .select([
      'r.refund_id',
      'r.payment_id',
      'r.booking_id',
      'p.method',
      'r.amount',
      'r.status',
      'r.reason',
      'r.requested_at',
      'r.settled_at',
      'r.failure',
    ])
    .select(sql<string>`r.business_date::text`.as('business_date'))
    .where('r.business_date', '>=', from)
    .where('r.business_date', '<=', to)
    .$if(filter.method !== undefined, (q) => q.where('p.method', '=', filter.method as never))
    .$if(filter.status !== undefined, (q) => q.where('r.status', '=', filter.status as never))
    .orderBy('r.requested_at')
    .execute();
  return {
    payments: payments.map((p) => ({
      paymentId: p.payment_id,
      bookingId: p.booking_id,
      purpose: p.purpose,
      method: p.method,
      amount: Number(p.amount),
      status: p.status,
      transactionId: p.transaction_id,
      paidAt: p.paid_at?.toISOString() ?? null,
      startedAt: p.started_at.toISOString(),
      refunded: Number(p.refunded),
    })),
    refunds: refunds.map((r) => ({
      refundId: r.refund_id,
      paymentId: r.payment_id,
      bookingId: r.booking_id,
      method: r.method,
      amount: Number(r.amount),
      status: r.status,
      reason: r.reason,
      businessDate: r.business_date,
      requestedAt: r.requested_at.toISOString(),
      settledAt: r.settled_at?.toISOString() ?? null,
      failure: r.failure,
    })),
  };
}

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

/** For accountants: the chart of accounts, an account's statement, payments and refunds of a period. */
export const ledgerAccountQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (
  app,
  { readModels: db },
) => {
  app.get(
    '/ledger/accounts',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['ledger'],
        summary: 'The chart of accounts the ledger posts to (and manual entries may use)',
        response: replies({
          200: Type.Array(
            Type.Object({
              code: Type.String(),
              name: Type.String(),
              class: Type.String({ description: 'asset, liability, common, equity, cost, income_expense: the first digit of the code' }),
              normalBalance: Type.Union([Type.Literal('debit'), Type.Literal('credit')]),
            }),
          ),
        }),
      },
    },
    async () => chartOfAccounts(),
  );

  app.get(
    '/ledger/accounts/:code/statement',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary:
          'Every line of one account over business dates from..to, with the balance brought forward and the running balance (debit − credit)',
        params: Type.Object({ code: Type.String({ maxLength: 20 }) }),
        querystring: Type.Object({ from: BusinessDate, to: BusinessDate }, { additionalProperties: false }),
        response: replies({
          200: Type.Object({
            account: Type.String(),
            name: Type.String(),
            from: Type.String(),
            to: Type.String(),
            openingBalance: Type.Integer(),
            lines: Type.Array(
              Type.Object({
                businessDate: Type.String(),
                entryId: Type.String(),
                lineNo: Type.Integer(),
                description: Type.String(),
                source: Type.String(),
                bookingId: Type.Optional(Type.String()),
                debit: Type.Integer(),
                credit: Type.Integer(),
                balance: Type.Integer(),
              }),
            ),
            closingBalance: Type.Integer(),
            currency: Type.Literal('CNY'),
          }),
        }),
      },
    },
    async (request) => {
      const { code } = request.params;
      const { from, to } = request.query;
      const account = chartOfAccounts().find((a) => a.code === code);
      if (!account) throw new NotFoundError('account', code);
      checkPeriod(from, to);
      return { account: code, name: account.name, from, to, ...(await statement(db, code, from, to)), currency: 'CNY' as const };
    },
  );

  app.get(
    '/ledger/payments',
    {
      config: { permission: 'payment:read' },
      schema: {
        tags: ['ledger'],
        summary: 'Payments and refunds of business dates from..to, by method and status',
        description:
          'A payment counts on the business date it was paid (or started, while unpaid); a refund on the date it was requested. `status` applies to both (`pending`, `succeeded`, `closed`, `failed`).',
        querystring: Type.Object(
          {
            from: BusinessDate,
            to: BusinessDate,
            method: Type.Optional(Type.String({ maxLength: 40 })),
            status: Type.Optional(Type.String({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: replies({
          200: Type.Object({
            payments: Type.Array(
              Type.Object({
                paymentId: Type.String(),
                bookingId: Type.String(),
                purpose: Type.String(),
                method: Type.String(),
                amount: Type.Integer(),
                status: Type.String(),
                transactionId: Nullable(Type.String()),
                paidAt: Nullable(Type.String({ format: 'date-time' })),
                startedAt: Type.String({ format: 'date-time' }),
                refunded: Type.Integer(),
              }),
            ),
            refunds: Type.Array(
              Type.Object({
                refundId: Type.String(),
                paymentId: Type.String(),
                bookingId: Type.String(),
                method: Nullable(Type.String()),
                amount: Type.Integer(),
                status: Type.String(),
                reason: Type.String(),
                businessDate: Type.String(),
                requestedAt: Type.String({ format: 'date-time' }),
                settledAt: Nullable(Type.String({ format: 'date-time' })),
                failure: Nullable(Type.String()),
              }),
            ),
          }),
        }),
      },
    },
    async (request) => {
      const { from, to, method, status } = request.query;
      checkPeriod(from, to);
      return moneyMovements(db, from, to, { ...(method ? { method } : {}), ...(status ? { status } : {}) });
    },
  );
};
