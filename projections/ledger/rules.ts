import { ACCOUNTS, clearingAccount, type AccountCode } from './accounts.js';
import type { BookingEvent } from '../../src/events/bookings.js';
import { sumOf } from '../../domain/billing/lines.js';
import { shareOut } from '../../domain/billing/tax.js';
import type { PaymentEvent } from '../../src/events/payments.js';
import type { WalletEvent } from '../../src/events/wallets.js';

export type Line = Readonly<{ account: AccountCode; debit: number; credit: number }>;

/** What the ledger keeps per booking to post later events: money held as deposits, and whether revenue was recognised. */
export type BookingBalance = Readonly<{ depositsHeld: number; checkedOut: boolean }>;

export type Posting = Readonly<{ description: string; lines: readonly Line[]; balance: BookingBalance }>;

const dr = (account: AccountCode, amount: number): Line => ({ account, debit: amount, credit: 0 });
const cr = (account: AccountCode, amount: number): Line => ({ account, debit: 0, credit: amount });

/** Events that never post, whatever the booking's balance. */
const NO_POSTING = [
  'BookingHeld',
  'WalkInStarted',
  'BookingConfirmed',
  'DepositPartPaid', // its money posts with its payment (PaymentSucceeded)
  'BookingExpired',
  'BookingCheckedIn',
  'BookingExtended',
  'BookingMoved',
  'OrderPlaced',
  'OrderLineVoided',
  'BillAdjusted',
  'PaymentStarted',
  'PaymentClosed',
  'RefundRequested',
  'RefundFailed',
] as const satisfies readonly (BookingEvent | PaymentEvent)['type'][];
const NO_POSTING_TYPES: ReadonlySet<string> = new Set(NO_POSTING);
type NoPosting = Extract<BookingEvent | PaymentEvent, { type: (typeof NO_POSTING)[number] }>;

/** True for events that never post, whatever the booking's balance: the ledger need not read the balance for them. */
export const postsNothing = (event: BookingEvent | PaymentEvent): event is NoPosting => NO_POSTING_TYPES.has(event.type);

/**
 * The double-entry rules, one event at a time: pure, so the same events always
 * give the same entries. Each returns balanced lines (or none) and the booking's
 * new balance.
 */
export function post(event: BookingEvent | PaymentEvent, b: BookingBalance): Posting | null {
  if (postsNothing(event)) return null;
  switch (event.type) {
    case 'PaymentSucceeded': {
      const { amount, method, purpose } = event.data;
      // A balance paid after check-out settles what the guest owed; anything else is money held for the booking.
      if (purpose === 'balance' && b.checkedOut) {
        return {
          description: `${method} payment of the balance`,
          lines: [dr(clearingAccount(method), amount), cr(ACCOUNTS.receivable.code, amount)],
          balance: b,
        };
      }
      return {
        description: `${method} ${purpose} received`,
        lines: [dr(clearingAccount(method), amount), cr(ACCOUNTS.deposits.code, amount)],
        balance: { ...b, depositsHeld: b.depositsHeld + amount },
      };
    }
    case 'RefundSucceeded': {
      const { amount, method } = event.data;
      return {
        description: `${method} refund`,
        lines: [dr(ACCOUNTS.deposits.code, amount), cr(clearingAccount(method), amount)],
        balance: { ...b, depositsHeld: b.depositsHeld - amount },
      };
    }
    case 'BookingCheckedOut': {
      const { bill } = event.data;
      const applied = Math.min(Math.max(0, b.depositsHeld), bill.total);
      const products = sumOf(bill, ['product']);
      // Revenue is recognised gross of adjustments, which are contra-revenue (reports net them out),
      // and net of VAT: the tax inside the bill is owed to the tax office, shared out over the parts.
      const gross = [sumOf(bill, ['room', 'extension', 'overtime', 'minimum_spend']), products, sumOf(bill, ['adjustment'])];
      const tax = bill.tax?.amount ?? 0;
      const shares = shareOut(tax, gross);
      const [room = 0, goods = 0, adjusted = 0] = gross.map((part, i) => part - (shares[i] ?? 0));
      const lines = [
        dr(ACCOUNTS.deposits.code, applied),
        dr(ACCOUNTS.receivable.code, bill.total - applied),
        dr(ACCOUNTS.adjustments.code, -adjusted),
        cr(ACCOUNTS.roomRevenue.code, room),
        cr(ACCOUNTS.productRevenue.code, goods),
        cr(ACCOUNTS.outputVat.code, tax),
      ].filter((l) => l.debit + l.credit > 0);
      return {
        description: products > 0 ? 'room and product revenue recognised at check-out' : 'room revenue recognised at check-out',
        lines,
        balance: { depositsHeld: b.depositsHeld - applied, checkedOut: true },
      };
    }
    case 'RefundAuthorised': {
      // A refund approved after check-out takes back revenue and the VAT in it; the money is then owed to
      // the guest (held as a deposit) until the refund itself succeeds and posts as any refund does.
      const { amount, vatRatePercent } = event.data;
      const tax = Math.round((amount * vatRatePercent) / (100 + vatRatePercent));
      return {
        description: 'refund after check-out approved',
        lines: [
          dr(ACCOUNTS.refundsAfterCheckOut.code, amount - tax),
          dr(ACCOUNTS.outputVat.code, tax),
          cr(ACCOUNTS.deposits.code, amount),
        ].filter((l) => l.debit + l.credit > 0),
        balance: { ...b, depositsHeld: b.depositsHeld + amount },
      };
    }
    case 'BookingMarkedNoShow': {
      const kept = Math.max(0, b.depositsHeld);
      if (kept === 0) return null;
      return {
        description: 'deposit forfeited by a no-show',
        lines: [dr(ACCOUNTS.deposits.code, kept), cr(ACCOUNTS.forfeits.code, kept)],
        balance: { ...b, depositsHeld: 0 },
      };
    }
    case 'BookingCancelled': {
      // What is not refunded is kept; the refund itself posts when the provider confirms it.
      const kept = Math.max(0, b.depositsHeld - event.data.refund);
      if (kept === 0) return null;
      return {
        description: 'deposit kept on a late cancellation',
        lines: [dr(ACCOUNTS.deposits.code, kept), cr(ACCOUNTS.forfeits.code, kept)],
        balance: { ...b, depositsHeld: b.depositsHeld - kept },
      };
    }
    default: {
      const never: never = event;
      throw new Error(`no ledger rule for ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Stored value (储值), one wallet event at a time. Paid value is a liability (2241) from the top-up
 * until it is spent; bonus value is a liability too (2242), granted at the cost of a promotion
 * (5601) and reversed there when it lapses unused. Spending moves value to the 1020 clearing
 * account, where the stored-value payment of the booking (`PaymentSucceeded`) takes it into
 * deposits like any other payment, so revenue is recognised at check-out at the bill's full price
 * whatever paid it. Returns no lines for nothing moved.
 */
export function postWallet(event: WalletEvent): Readonly<{ description: string; lines: readonly Line[] }> {
  const sv = ACCOUNTS.storedValuePaid.code;
  const bonusSv = ACCOUNTS.storedValueBonus.code;
  const applied = ACCOUNTS.stored_value.code;
  const bonusCost = ACCOUNTS.bonusCost.code;
  const some = (lines: Line[]) => lines.filter((l) => l.debit + l.credit > 0);
  switch (event.type) {
    case 'StoredValueToppedUp': {
      const { method, paid, bonus } = event.data;
      return {
        description: bonus > 0 ? `stored value topped up by ${method} with a bonus` : `stored value topped up by ${method}`,
        lines: some([dr(clearingAccount(method), paid), cr(sv, paid), dr(bonusCost, bonus), cr(bonusSv, bonus)]),
      };
    }
    case 'StoredValueSpent': {
      const { paid, bonus } = event.data;
      return { description: 'stored value spent on a booking', lines: some([dr(sv, paid), dr(bonusSv, bonus), cr(applied, paid + bonus)]) };
    }
    case 'StoredValueReturned': {
      const { paid, bonus } = event.data;
      return { description: 'refund returned to stored value', lines: some([dr(applied, paid + bonus), cr(sv, paid), cr(bonusSv, bonus)]) };
    }
    case 'StoredValueBonusExpired': {
      const { amount } = event.data;
      return { description: 'stored-value bonus lapsed unused', lines: some([dr(bonusSv, amount), cr(bonusCost, amount)]) };
    }
    default: {
      const never: never = event;
      throw new Error(`no ledger rule for ${JSON.stringify(never)}`);
    }
  }
}
