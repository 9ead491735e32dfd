import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../../src/projections/projection.js';
import { InsertBuffer } from '../../src/projections/insert-buffer.js';
import type { RecordedEvent } from '../../src/eventstore/port.js';
import type { BookingEvent } from '../../src/events/bookings.js';
import type { PaymentEvent } from '../../src/events/payments.js';
import type { VenueEvent, VenueSettings } from '../../src/events/venue.js';
import type { LedgerEvent, ManualLine } from '../../src/events/ledger.js';
import type { WalletEvent } from '../../src/events/wallets.js';
import { post, postsNothing, postWallet, type BookingBalance } from './rules.js';
import { businessDateOf, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { lateDescription, openDateFor, type ClosedPeriod } from './periods.js';
import { isRefundEvent, refundChange, type LedgerRefundsTable } from './refunds.js';

export interface JournalEntriesTable {
  entry_id: string;
  business_date: string;
  booking_id: string | null;
  event_type: string;
  description: string;
  posted_at: Date;
  /** `automatic` (a posting rule) or `manual` (an accountant's entry). */
  source: 'automatic' | 'manual';
  /** Set when the event's own business date was closed and the entry moved to the first open one. */
  original_date: string | null;
  /** A reversing entry's original. */
  reverses: string | null;
  attachments: string[];
  posted_by: string | null;
}
export interface JournalLinesTable {
  entry_id: string;
  line_no: number;
  account: string;
  debit: number;
  credit: number;
  business_date: string;
  booking_id: string | null;
  room_id: string | null;
  room_type_id: string | null;
  member_level: string | null;
}
interface LedgerBookingsTable {
  booking_id: string;
  room_id: string | null;
  room_type_id: string | null;
  member_level: string | null;
  deposits_held: number;
  checked_out: boolean;
}
interface LedgerVenueTable {
  id: number;
  settings: VenueSettings;
}
export interface LedgerPeriodsTable {
  from_date: string;
  to_date: string;
  closed_at: Date;
  closed_by: string;
  reopened_at: Date | null;
  reopened_by: string | null;
  reopen_reason: string | null;
}
export type LedgerDatabase = {
  journal_entries: JournalEntriesTable;
  ledger_periods: LedgerPeriodsTable;
  ledger_refunds: LedgerRefundsTable;
  journal_lines: JournalLinesTable;
  ledger_bookings: LedgerBookingsTable;
  ledger_venue: LedgerVenueTable;
};

type Handled = BookingEvent | PaymentEvent | VenueEvent | LedgerEvent | WalletEvent;
const WALLET_EVENTS: ReadonlySet<string> = new Set<WalletEvent['type']>([
  'StoredValueToppedUp',
  'StoredValueSpent',
  'StoredValueReturned',
  'StoredValueBonusExpired',
]);
const isWalletEvent = (e: Handled): e is WalletEvent => WALLET_EVENTS.has(e.type);

/**
 * The double-entry ledger (`rm.journal_entries`, `rm.journal_lines`), derived
 * only from events through the pure rules in ./rules.ts. Entries are dated by
 * the business day of the event, in the venue's time zone as configured at that
 * point of the feed.
 */
/**
 * The journal lines revenue is made of: income accounts (6xxx, adjustments netted out) and the VAT
 * charged on bills, so revenue is what guests were billed, tax included.
 */
export const SALES = sql`(account LIKE '6%' OR (account = '2221' AND booking_id IS NOT NULL))`;

export const ledgerProjection = defineProjection<LedgerDatabase>({
  name: 'ledger',
  // 2: rm.payments moved to a projection of its own.
  // 3: output VAT (2221) and the revenue view tax-inclusive, as the revenue report.
  // 4: period close (late postings move to the first open date), manual entries, refunds with their state.
  // 5: stored value (top-ups, spending, returns, lapsed bonus); entries of no booking; refunds after check-out.
  version: 5,
  tables: ['journal_entries', 'journal_lines', 'revenue_daily', 'ledger_periods', 'ledger_refunds'],
  eventTypes: [
    'VenueConfigured',
    'BookingHeld',
    'WalkInStarted',
    'BookingMoved',
    'BookingConfirmed',
    'BookingCancelled',
    'BookingExpired',
    'BookingCheckedIn',
    'BookingExtended',
    'BookingCheckedOut',
    'BookingMarkedNoShow',
    'PaymentSucceeded',
    'RefundRequested',
    'RefundSucceeded',
    'RefundFailed',
    'PeriodClosed',
    'PeriodReopened',
    'JournalEntryPosted',
    'RefundAuthorised',
    ...WALLET_EVENTS,
  ],
  async setup(db, schemaName) {
    await db.schema
      .createTable('journal_entries')
      .addColumn('entry_id', 'text', (c) => c.primaryKey())
      .addColumn('business_date', 'date', (c) => c.notNull())
      .addColumn('booking_id', 'text')
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('posted_at', 'timestamptz', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('original_date', 'date')
      .addColumn('reverses', 'text')
      .addColumn('attachments', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
      .addColumn('posted_by', 'text')
      .execute();
    await db.schema.createIndex('journal_entries_by_date').on('journal_entries').column('business_date').execute();
    await db.schema
      .createTable('journal_lines')
      .addColumn('entry_id', 'text', (c) => c.notNull())
      .addColumn('line_no', 'integer', (c) => c.notNull())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('debit', 'bigint', (c) => c.notNull().check(sql`debit >= 0`))
      .addColumn('credit', 'bigint', (c) => c.notNull().check(sql`credit >= 0`))
      .addColumn('business_date', 'date', (c) => c.notNull())
      .addColumn('booking_id', 'text')
      .addColumn('room_id', 'text')
      .addColumn('room_type_id', 'text')
      .addColumn('member_level', 'text')
      .addPrimaryKeyConstraint('journal_lines_pk', ['entry_id', 'line_no'])
      .execute();
    await db.schema.createIndex('journal_lines_by_date').on('journal_lines').columns(['business_date', 'account']).execute();
    await db.schema
      .createTable('ledger_bookings')
      .addColumn('booking_id', 'text', (c) => c.primaryKey())
      .addColumn('room_id', 'text')
      .addColumn('room_type_id', 'text')
      .addColumn('member_level', 'text')
      .addColumn('deposits_held', 'bigint', (c) => c.notNull())
      .addColumn('checked_out', 'boolean', (c) => c.notNull())
      .execute();
    // For analysts: revenue per business day and room type, counted as the revenue report counts it.
    await sql`
      CREATE VIEW ${sql.id(schemaName, 'revenue_daily')} AS
      SELECT business_date, room_type_id, count(DISTINCT booking_id)::int AS bookings,
             sum(credit - debit) FILTER (WHERE account = '6001')::bigint AS room_revenue,
             sum(credit - debit) FILTER (WHERE account = '6002')::bigint AS product_revenue,
             sum(credit - debit) FILTER (WHERE account = '6003')::bigint AS adjustments,
             sum(credit - debit) FILTER (WHERE account = '6051')::bigint AS forfeited_deposits,
             coalesce(sum(credit - debit) FILTER (WHERE account = '2221'), 0)::bigint AS output_vat,
             sum(credit - debit)::bigint AS revenue
      FROM ${sql.id(schemaName, 'journal_lines')}
      WHERE ${SALES}
      GROUP BY business_date, room_type_id`.execute(db);
    await db.schema
      .createTable('ledger_periods')
      .addColumn('from_date', 'date', (c) => c.notNull())
      .addColumn('to_date', 'date', (c) => c.notNull())
      .addColumn('closed_at', 'timestamptz', (c) => c.notNull())
      .addColumn('closed_by', 'text', (c) => c.notNull())
      .addColumn('reopened_at', 'timestamptz')
      .addColumn('reopened_by', 'text')
      .addColumn('reopen_reason', 'text')
      .execute();
    await db.schema
      .createTable('ledger_refunds')
      .addColumn('refund_id', 'text', (c) => c.primaryKey())
      .addColumn('payment_id', 'text', (c) => c.notNull())
      .addColumn('booking_id', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('business_date', 'date', (c) => c.notNull())
      .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
      .addColumn('settled_at', 'timestamptz')
      .addColumn('failure', 'text')
      .execute();
    await db.schema
      .createTable('ledger_venue')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('settings', 'jsonb', (c) => c.notNull())
      .execute();
  },
  async apply(trx: Kysely<LedgerDatabase>, events: readonly RecordedEvent[]) {
    let venue = (await trx.selectFrom('ledger_venue').select('settings').where('id', '=', 1).executeTakeFirst())?.settings ?? DEFAULT_VENUE;
    let closed = await closedPeriods(trx);
    const inserts = new InsertBuffer(trx, { ledger_bookings: { key: ['booking_id'] } });
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as Handled;
      if (e.type === 'BookingHeld' || e.type === 'WalkInStarted') {
        // A new booking posts nothing (postsNothing in ./rules.ts): its balance row is all it adds.
        inserts.add('ledger_bookings', newBalance(e));
        continue;
      }
      // Any other event may read or change the balances added so far: they go in first.
      await inserts.flush();
      if (e.type === 'PeriodClosed' || e.type === 'PeriodReopened') {
        await recordPeriod(trx, e);
        closed = await closedPeriods(trx);
        continue;
      }
      if (e.type === 'JournalEntryPosted') {
        const { entryId, date, memo, lines, attachments, reverses, by, at } = e.data;
        const entry = { eventType: e.type, source: 'manual', description: memo, at, attachments, reverses, by } as const;
        await writeEntry(trx, entryId, date, closed, entry, lines, undefined);
        continue;
      }
      if (e.type === 'VenueConfigured') {
        venue = e.data.settings;
        await trx
          .insertInto('ledger_venue')
          .values({ id: 1, settings: sql`${JSON.stringify(venue)}::jsonb` as never })
          .onConflict((oc) => oc.column('id').doUpdateSet({ settings: sql`excluded.settings` as never }))
          .execute();
        continue;
      }
      if (isWalletEvent(e)) {
        const posting = postWallet(e);
        const bookingId = e.type === 'StoredValueSpent' || e.type === 'StoredValueReturned' ? e.data.bookingId : undefined;
        if (posting.lines.length > 0) {
          const entry = { eventType: e.type, source: 'automatic', description: posting.description, at: e.data.at, bookingId } as const;
          await writeEntry(trx, recorded.id, businessDateOf(new Date(e.data.at), venue), closed, entry, posting.lines, undefined);
        }
        continue;
      }
      if (isRefundEvent(e)) {
        const { insert, update } = refundChange(e, businessDateOf(new Date(e.data.at), venue));
        await trx
          .insertInto('ledger_refunds')
          .values(insert)
          .onConflict((oc) => oc.column('refund_id').doUpdateSet(update))
          .execute();
      }
      if (e.type === 'BookingMoved') {
        await trx
          .updateTable('ledger_bookings')
          .set({ room_id: e.data.toRoomId, room_type_id: e.data.toRoomTypeId })
          .where('booking_id', '=', e.data.bookingId)
          .execute();
      }
      await postEntry(trx, e, recorded, venue, closed);
    }
    await inserts.flush();
  },
});

/** A booking's balance as it starts: its room, room type and member level, nothing held. */
function newBalance(e: Extract<BookingEvent, { type: 'BookingHeld' | 'WalkInStarted' }>): LedgerBookingsTable {
  return {
    booking_id: e.data.bookingId,
    room_id: e.data.roomId,
    room_type_id: e.data.roomTypeId,
    member_level: e.data.price.breakdown.discount.level,
    deposits_held: 0,
    checked_out: false,
  };
}

async function postEntry(
  trx: Kysely<LedgerDatabase>,
  e: BookingEvent | PaymentEvent,
  recorded: RecordedEvent,
  venue: VenueSettings,
  closed: readonly ClosedPeriod[],
): Promise<void> {
  if (postsNothing(e)) return;
  const bookingId = e.data.bookingId;
  const row = await trx.selectFrom('ledger_bookings').selectAll().where('booking_id', '=', bookingId).executeTakeFirst();
  const balance: BookingBalance = { depositsHeld: Number(row?.deposits_held ?? 0), checkedOut: row?.checked_out ?? false };
  const posting = post(e, balance);
  if (!posting) return;
  if (posting.lines.length > 0) {
    const entry = { eventType: e.type, source: 'automatic', description: posting.description, at: e.data.at, bookingId } as const;
    await writeEntry(trx, recorded.id, businessDateOf(new Date(e.data.at), venue), closed, entry, posting.lines, row);
  }
  await trx
    .insertInto('ledger_bookings')
    .values({
      booking_id: bookingId,
      room_id: null,
      room_type_id: null,
      member_level: null,
      deposits_held: posting.balance.depositsHeld,
      checked_out: posting.balance.checkedOut,
    })
    .onConflict((oc) =>
      oc.column('booking_id').doUpdateSet({ deposits_held: posting.balance.depositsHeld, checked_out: posting.balance.checkedOut }),
    )
    .execute();
}

type Entry = Readonly<{
  eventType: string;
  source: JournalEntriesTable['source'];
  description: string;
  at: string;
  bookingId?: string;
  attachments?: readonly string[];
  reverses?: string | null;
  by?: string;
}>;

/** Writes one entry and its lines, dated on `date` or, when that date is closed, on the first open date after it. */
async function writeEntry(
  trx: Kysely<LedgerDatabase>,
  entryId: string,
  date: string,
  closed: readonly ClosedPeriod[],
  entry: Entry,
  lines: readonly ManualLine[],
  row: LedgerBookingsTable | undefined,
): Promise<void> {
  const businessDate = openDateFor(date, closed);
  const late = businessDate !== date;
  await trx
    .insertInto('journal_entries')
    .values({
      entry_id: entryId,
      business_date: businessDate,
      booking_id: entry.bookingId ?? null,
      event_type: entry.eventType,
      description: late ? lateDescription(entry.description, date) : entry.description,
      posted_at: new Date(entry.at),
      source: entry.source,
      original_date: late ? date : null,
      reverses: entry.reverses ?? null,
      attachments: [...(entry.attachments ?? [])],
      posted_by: entry.by ?? null,
    })
    .execute();
  await trx
    .insertInto('journal_lines')
    .values(
      lines.map((l, i) => ({
        entry_id: entryId,
        line_no: i + 1,
        account: l.account,
        debit: l.debit,
        credit: l.credit,
        business_date: businessDate,
        booking_id: entry.bookingId ?? null,
        room_id: row?.room_id ?? null,
        room_type_id: row?.room_type_id ?? null,
        member_level: row?.member_level ?? null,
      })),
    )
    .execute();
}

/** The periods closed so far in the feed, which later entries must not be dated into. */
async function closedPeriods(trx: Kysely<LedgerDatabase>): Promise<ClosedPeriod[]> {
  const rows = await trx
    .selectFrom('ledger_periods')
    .select([sql<string>`from_date::text`.as('from'), sql<string>`to_date::text`.as('to')])
    .where('reopened_at', 'is', null)
    .execute();
  return rows;
}

async function recordPeriod(
  trx: Kysely<LedgerDatabase>,
  e: Extract<LedgerEvent, { type: 'PeriodClosed' | 'PeriodReopened' }>,
): Promise<void> {
  const { from, to, by, at } = e.data;
  if (e.type === 'PeriodClosed') {
    await trx
      .insertInto('ledger_periods')
      .values({
        from_date: from,
        to_date: to,
        closed_at: new Date(at),
        closed_by: by,
        reopened_at: null,
        reopened_by: null,
        reopen_reason: null,
      })
      .execute();
    return;
  }
  await trx
    .updateTable('ledger_periods')
    .set({ reopened_at: new Date(at), reopened_by: by, reopen_reason: e.data.reason })
    .where('from_date', '=', from)
    .where('to_date', '=', to)
    .where('reopened_at', 'is', null)
    .execute();
}
