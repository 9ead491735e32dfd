import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { ValidationError } from '../src/errors.js';
import { accountName } from '../projections/ledger/accounts.js';
import { SALES } from '../projections/ledger/journal.js';
import { replies } from '../src/http/schemas.js';
import { ClosedPeriod, closedPeriodsIn } from './ledger-periods.js';
import { dynamicUpliftBy } from './dynamic-pricing.js';

const BusinessDate = Type.String({ format: 'date', description: 'A business date, YYYY-MM-DD' });
const Period = Type.Object({ from: BusinessDate, to: BusinessDate }, { additionalProperties: false });

function checkPeriod(from: string, to: string): void {
  if (from > to) throw new ValidationError([{ field: 'to', message: 'must not be before from' }]);
}

export type EntryLine = {
  entryId: string;
  businessDate: string;
  bookingId: string | null;
  eventType: string;
  source: 'automatic' | 'manual';
  /** Set on a late posting: the closed date the event belonged to. */
  originalDate: string | null;
  reverses: string | null;
  description: string;
  lineNo: number;
  account: string;
  debit: number;
  credit: number;
};

/** Journal lines of a period, in posting order, from the serving ledger or from another build's schema. */
export async function entriesIn(
  db: Kysely<ReadModels>,
  from: string,
  to: string,
  schema = 'rm',
  source?: EntryLine['source'],
): Promise<EntryLine[]> {
  const { rows } = await sql<EntryLine>`
    SELECT e.entry_id AS "entryId", e.business_date::text AS "businessDate", e.booking_id AS "bookingId", e.event_type AS "eventType",
           e.source, e.original_date::text AS "originalDate", e.reverses,
           e.description, l.line_no AS "lineNo", l.account, l.debit::bigint::float8 AS debit, l.credit::bigint::float8 AS credit
    FROM ${sql.id(schema, 'journal_entries')} e JOIN ${sql.id(schema, 'journal_lines')} l USING (entry_id)
    WHERE e.business_date BETWEEN ${from}::date AND ${to}::date AND (${source ?? null}::text IS NULL OR e.source = ${source ?? null})
    ORDER BY e.business_date, e.posted_at, e.entry_id, l.line_no`.execute(db);
  return rows;
}

export async function trialBalance(db: Kysely<ReadModels>, asOf: string) {
  const { rows } = await sql<{ account: string; debit: number; credit: number }>`
    SELECT account, sum(debit)::float8 AS debit, sum(credit)::float8 AS credit
    FROM rm.journal_lines WHERE business_date <= ${asOf}::date GROUP BY account ORDER BY account`.execute(db);
  const debit = rows.reduce((s, r) => s + r.debit, 0);
  const credit = rows.reduce((s, r) => s + r.credit, 0);
  const closedPeriods = await closedPeriodsIn(db, '0001-01-01', asOf);
  return {
    asOf,
    // Whether the lines up to asOf can still change: they cannot once asOf is in a closed period.
    asOfClosed: closedPeriods.some((p) => p.from <= asOf && asOf <= p.to),
    closedPeriods,
    accounts: rows.map((r) => ({
      account: r.account,
      name: accountName(r.account),
      debit: r.debit,
      credit: r.credit,
      balance: r.debit - r.credit,
    })),
    totals: { debit, credit },
    // Computed from the sums, never assumed.
    balanced: debit === credit,
    currency: 'CNY' as const,
  };
}

const GROUPS = {
  day: sql`business_date::text`,
  room: sql`coalesce(room_id, '')`,
  roomType: sql`coalesce(room_type_id, '')`,
  memberLevel: sql`coalesce(member_level, '')`,
};
export type GroupBy = keyof typeof GROUPS;

export async function revenue(db: Kysely<ReadModels>, from: string, to: string, groupBy: GroupBy) {
  const { rows } = await sql<{ key: string; bookings: number; revenue: number; net: number; tax: number }>`
    SELECT ${GROUPS[groupBy]} AS key, count(DISTINCT booking_id)::int AS bookings, sum(credit - debit)::float8 AS revenue,
           coalesce(sum(credit - debit) FILTER (WHERE account LIKE '6%'), 0)::float8 AS net,
           coalesce(sum(credit - debit) FILTER (WHERE account = '2221'), 0)::float8 AS tax
    FROM rm.journal_lines
    WHERE business_date BETWEEN ${from}::date AND ${to}::date AND ${SALES}
    GROUP BY 1 ORDER BY 1`.execute(db);
  const sum = (field: 'revenue' | 'net' | 'tax') => rows.reduce((s, r) => s + r[field], 0);
  const closedPeriods = await closedPeriodsIn(db, from, to);
  // Dynamic pricing's share: the uplift recorded in the prices of the bookings sold, the rest is base revenue.
  const uplift = await dynamicUpliftBy(db, from, to, GROUPS[groupBy]);
  const split = rows.map((r) => ({ ...r, baseRevenue: r.revenue - (uplift.get(r.key) ?? 0), dynamicUplift: uplift.get(r.key) ?? 0 }));
  const dynamicUplift = split.reduce((s, r) => s + r.dynamicUplift, 0);
  return {
    from,
    to,
    groupBy,
    closedPeriods,
    rows: split,
    total: sum('revenue'),
    net: sum('net'),
    tax: sum('tax'),
    baseRevenue: sum('revenue') - dynamicUplift,
    dynamicUplift,
    currency: 'CNY' as const,
  };
}

/** The CSV columns, in order: the header names accountants see, and where each value comes from. */
const CSV_COLUMNS = [
  { key: 'businessDate', header: 'business_date' },
  { key: 'entryId', header: 'entry_id' },
  { key: 'bookingId', header: 'booking_id' },
  { key: 'eventType', header: 'event_type' },
  { key: 'source', header: 'source' },
  { key: 'originalDate', header: 'original_date' },
  { key: 'description', header: 'description' },
  { key: 'lineNo', header: 'line_no' },
  { key: 'account', header: 'account' },
  { key: 'accountName', header: 'account_name' },
  { key: 'debit', header: 'debit_fen' },
  { key: 'credit', header: 'credit_fen' },
] satisfies { key: keyof EntryLine | 'accountName'; header: string }[];

/** RFC 4180 CSV, one row per journal line under a header row; csv-stringify does the quoting. */
export function toCsv(lines: readonly EntryLine[]): string {
  return stringify(
    lines.map((l) => ({ ...l, accountName: accountName(l.account) })),
    { header: true, columns: CSV_COLUMNS },
  );
}

/** The ledger and revenue reports, from `rm.journal_*`. */
export const ledgerQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, ctx) => {
  const db = ctx.readModels;

  app.get(
    '/ledger/trial-balance',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['ledger'],
        summary: 'Debits and credits per account up to a business date; `balanced` is computed',
        querystring: Type.Object({ asOf: BusinessDate }, { additionalProperties: false }),
        response: replies({
          200: Type.Object({
            asOf: Type.String(),
            asOfClosed: Type.Boolean({ description: 'asOf lies in a closed period' }),
            closedPeriods: Type.Array(ClosedPeriod, { description: 'closed periods up to asOf' }),
            accounts: Type.Array(
              Type.Object({
                account: Type.String(),
                name: Type.String(),
                debit: Type.Integer(),
                credit: Type.Integer(),
                balance: Type.Integer(),
              }),
            ),
            totals: Type.Object({ debit: Type.Integer(), credit: Type.Integer() }),
            balanced: Type.Boolean(),
            currency: Type.Literal('CNY'),
          }),
        }),
      },
    },
    async (request) => trialBalance(db, request.query.asOf),
  );

  app.get(
    '/ledger/entries',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary: 'Journal lines of a period (business dates, inclusive); `source=manual` for the adjusting entries alone',
        description:
          "`source` tells postings by the rules (`automatic`) from accountants' entries (`manual`, whose memo is the description); `originalDate` marks a late posting moved out of a closed period; `reverses` a reversing entry's original.",
        querystring: Type.Composite(
          [Period, Type.Object({ source: Type.Optional(Type.Union([Type.Literal('automatic'), Type.Literal('manual')])) })],
          { additionalProperties: false },
        ),
        response: replies({
          200: Type.Array(
            Type.Object({
              entryId: Type.String(),
              businessDate: Type.String(),
              bookingId: Type.Optional(Type.String()),
              eventType: Type.String(),
              source: Type.Union([Type.Literal('automatic'), Type.Literal('manual')]),
              originalDate: Type.Optional(Type.String({ format: 'date' })),
              reverses: Type.Optional(Type.String()),
              description: Type.String(),
              lineNo: Type.Integer(),
              account: Type.String(),
              debit: Type.Integer(),
              credit: Type.Integer(),
            }),
          ),
        }),
      },
    },
    async (request) => {
      const { from, to, source } = request.query;
      checkPeriod(from, to);
      // Absent rather than null: an entry has a booking, an original date, an original entry, or not.
      return (await entriesIn(db, from, to, 'rm', source)).map(({ bookingId, originalDate, reverses, ...line }) => ({
        ...line,
        ...(bookingId === null ? {} : { bookingId }),
        ...(originalDate === null ? {} : { originalDate }),
        ...(reverses === null ? {} : { reverses }),
      }));
    },
  );

  app.get(
    '/ledger/entries.csv',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary: 'The same lines as CSV for accountants (money in fen)',
        querystring: Period,
        produces: ['text/csv'],
        response: replies({ 200: Type.String({ description: 'RFC 4180 CSV with a header row' }) }),
      },
    },
    async (request, reply) => {
      checkPeriod(request.query.from, request.query.to);
      const csv = toCsv(await entriesIn(db, request.query.from, request.query.to));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="ledger-${request.query.from}-${request.query.to}.csv"`)
        .send(csv);
    },
  );

  app.get(
    '/reports/revenue',
    {
      config: { permission: 'report:read' },
      schema: {
        tags: ['ledger'],
        summary:
          'Revenue by day, room, room type or member level: what was billed at check-out, tax included, adjustments deducted, forfeited deposits included',
        description: '`net` is revenue without VAT, `tax` the VAT charged on the bills.',
        querystring: Type.Object(
          {
            from: BusinessDate,
            to: BusinessDate,
            groupBy: Type.Union([Type.Literal('day'), Type.Literal('room'), Type.Literal('roomType'), Type.Literal('memberLevel')], {
              default: 'day',
            }),
          },
          { additionalProperties: false },
        ),
        response: replies({
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            groupBy: Type.String(),
            closedPeriods: Type.Array(ClosedPeriod, { description: 'closed periods overlapping from..to: their figures are final' }),
            rows: Type.Array(
              Type.Object({
                key: Type.String(),
                bookings: Type.Integer(),
                revenue: Type.Integer(),
                net: Type.Integer(),
                tax: Type.Integer(),
                baseRevenue: Type.Optional(Type.Integer({ description: 'revenue − dynamicUplift' })),
                dynamicUplift: Type.Optional(Type.Integer({ description: "Dynamic pricing's share: the uplift in the bookings' prices" })),
              }),
            ),
            total: Type.Integer(),
            net: Type.Integer(),
            tax: Type.Integer(),
            baseRevenue: Type.Optional(Type.Integer()),
            dynamicUplift: Type.Optional(Type.Integer()),
            currency: Type.Literal('CNY'),
          }),
        }),
      },
    },
    async (request) => {
      checkPeriod(request.query.from, request.query.to);
      return revenue(db, request.query.from, request.query.to, request.query.groupBy);
    },
  );
};
