import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../../projections/read-models.js';
import { ACCOUNTS } from '../../projections/ledger/accounts.js';
import { businessDayBounds } from '../../domain/venue/settings.js';
import { venueSettings } from '../venue.js';

/** One account's movement on the day from one kind of event, as the journal has it. */
export type LedgerMovement = Readonly<{ account: string; eventType: string; debit: number; credit: number }>;

const METHODS = {
  cash: ACCOUNTS.cash.code,
  card: ACCOUNTS.card.code,
  wechatpay: ACCOUNTS.wechatpay.code,
  sandbox: ACCOUNTS.sandbox.code,
} as const;
type Method = keyof typeof METHODS;

/**
 * The daily close (日结) of one business day, worked out from the journal lines dated that day, so
 * every figure is the ledger's to the fen: revenue by category (net of VAT, adjustments and refunds
 * after check-out negative), the VAT, money by method (payments, stored-value top-ups, refunds),
 * stored value sold, used, returned and lapsed, deposits received and forfeited.
 */
export function dailyCloseOf(rows: readonly LedgerMovement[]) {
  const net = (account: string, eventType?: string) =>
    rows.filter((r) => r.account === account && (!eventType || r.eventType === eventType)).reduce((s, r) => s + r.credit - r.debit, 0);
  const side = (side: 'debit' | 'credit', account: string, eventType: string) =>
    rows.filter((r) => r.account === account && r.eventType === eventType).reduce((s, r) => s + r[side], 0);
  const byMethod = (s: 'debit' | 'credit', eventType: string) => {
    const m = Object.fromEntries(Object.entries(METHODS).map(([k, code]) => [k, side(s, code, eventType)])) as Record<Method, number>;
    return { ...m, total: Object.values(m).reduce((a, b) => a + b, 0) };
  };
  const revenue = {
    room: net(ACCOUNTS.roomRevenue.code),
    products: net(ACCOUNTS.productRevenue.code),
    adjustments: net(ACCOUNTS.adjustments.code),
    refundsAfterCheckOut: net(ACCOUNTS.refundsAfterCheckOut.code),
    forfeitedDeposits: net(ACCOUNTS.forfeits.code),
  };
  const netRevenue = Object.values(revenue).reduce((a, b) => a + b, 0);
  const vat = net(ACCOUNTS.outputVat.code);
  const paid = ACCOUNTS.storedValuePaid.code;
  const bonus = ACCOUNTS.storedValueBonus.code;
  const storedValue = {
    sold: side('credit', paid, 'StoredValueToppedUp'),
    bonusGranted: side('credit', bonus, 'StoredValueToppedUp'),
    usedPaid: side('debit', paid, 'StoredValueSpent'),
    usedBonus: side('debit', bonus, 'StoredValueSpent'),
    returned: side('credit', paid, 'StoredValueReturned') + side('credit', bonus, 'StoredValueReturned'),
    bonusLapsed: side('debit', bonus, 'StoredValueBonusExpired'),
    /** What members are owed more (or less, negative) at the end of the day than at its start. */
    owedChange: net(paid) + net(bonus),
  };
  const debit = rows.reduce((s, r) => s + r.debit, 0);
  const credit = rows.reduce((s, r) => s + r.credit, 0);
  return {
    revenue: { ...revenue, net: netRevenue, vat, total: netRevenue + vat },
    payments: { ...byMethod('debit', 'PaymentSucceeded'), stored_value: side('debit', ACCOUNTS.stored_value.code, 'PaymentSucceeded') },
    topUps: byMethod('debit', 'StoredValueToppedUp'),
    refunds: { ...byMethod('credit', 'RefundSucceeded'), stored_value: side('credit', ACCOUNTS.stored_value.code, 'RefundSucceeded') },
    storedValue,
    deposits: { received: side('credit', ACCOUNTS.deposits.code, 'PaymentSucceeded'), forfeited: revenue.forfeitedDeposits },
    ledger: { debit, credit, balanced: debit === credit },
  };
}

/** The journal's movements dated `date`, by account and event type. */
export async function ledgerMovements(db: Kysely<ReadModels>, date: string, schema = 'rm'): Promise<LedgerMovement[]> {
  const { rows } = await sql<LedgerMovement>`
    SELECT l.account, e.event_type AS "eventType", sum(l.debit)::float8 AS debit, sum(l.credit)::float8 AS credit
    FROM ${sql.id(schema, 'journal_lines')} l JOIN ${sql.id(schema, 'journal_entries')} e USING (entry_id)
    WHERE l.business_date = ${date}::date
    GROUP BY l.account, e.event_type ORDER BY l.account, e.event_type`.execute(db);
  return rows;
}

/** The shifts closed during the business day, and money handled at the desk that day with no shift open. */
export async function shiftsOf(db: Kysely<ReadModels>, date: string) {
  const { start, end } = businessDayBounds(date, await venueSettings(db));
  const shifts = await db
    .selectFrom('shifts')
    .selectAll()
    .where('closed_at', '>=', start)
    .where('closed_at', '<', end)
    .orderBy('closed_at')
    .execute();
  const outside = await db
    .selectFrom('desk_movements')
    .select(['kind', 'method', sql<number>`sum(amount)::float8`.as('amount')])
    .where('shift_id', 'is', null)
    .where('at', '>=', start)
    .where('at', '<', end)
    .groupBy(['kind', 'method'])
    .orderBy('kind')
    .orderBy('method')
    .execute();
  return {
    shifts: shifts.map((s) => ({
      shiftId: s.shift_id,
      staffId: s.staff_id,
      openedAt: s.opened_at.toISOString(),
      closedAt: s.closed_at?.toISOString() ?? '',
      openingCash: Number(s.opening_cash),
      expectedCash: Number(s.expected_cash),
      countedCash: Number(s.counted_cash),
      difference: Number(s.difference),
      reason: s.reason,
    })),
    outsideShifts: outside.map((o) => ({ kind: o.kind, method: o.method, amount: o.amount })),
  };
}

/**
 * Overtime billed on the bills closed that day (tax included). The ledger books it within room
 * revenue (6001), so it is read from those bills' lines, for the bills the ledger dated that day.
 */
export async function overtimeBilled(db: Kysely<ReadModels>, date: string): Promise<number> {
  const { rows } = await sql<{ overtime: number }>`
    SELECT coalesce(sum((line->>'amount')::bigint), 0)::float8 AS overtime
    FROM rm.journal_entries e JOIN rm.bookings b ON b.booking_id = e.booking_id,
         jsonb_array_elements(coalesce(b.bill->'lines', '[]'::jsonb)) AS line
    WHERE e.business_date = ${date}::date AND e.event_type = 'BookingCheckedOut' AND line->>'kind' = 'overtime'`.execute(db);
  return rows[0]?.overtime ?? 0;
}

export type DailyClose = ReturnType<typeof dailyCloseOf> &
  Awaited<ReturnType<typeof shiftsOf>> & { businessDate: string; overtimeBilled: number; currency: 'CNY' };

export async function dailyClose(db: Kysely<ReadModels>, date: string): Promise<DailyClose> {
  return {
    businessDate: date,
    ...dailyCloseOf(await ledgerMovements(db, date)),
    overtimeBilled: await overtimeBilled(db, date),
    ...(await shiftsOf(db, date)),
    currency: 'CNY',
  };
}
