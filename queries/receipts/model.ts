import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../../projections/read-models.js';
import type { Bill, BillLineKind } from '../../src/events/bookings.js';
import { linesOf } from '../../domain/billing/lines.js';
import { venueSettings } from '../venue.js';

/** 小票 labels: every bill line kind and payment method in Chinese, with the English kept beside it on the page. */
const LINE_LABELS: Record<BillLineKind, string> = {
  room: '包厢费',
  extension: '续时',
  overtime: '超时费',
  product: '酒水商品',
  minimum_spend: '最低消费补足',
  adjustment: '优惠',
};
const METHOD_LABELS: Record<string, string> = { cash: '现金', card: '银行卡', wechatpay: '微信支付', stored_value: '储值' };

/** Everything a receipt prints, money in fen, times as the venue's local wall time. */
export type Receipt = Readonly<{
  venueName: string;
  bookingId: string;
  roomName: string;
  businessDate: string;
  start: string;
  partySize: number;
  guestName: string | null;
  lines: readonly Readonly<{ label: string; description: string; amount: number }>[];
  total: number;
  /** VAT inside the total (null when the venue charges none): the rate, the tax and the total without it. */
  tax: Readonly<{ ratePercent: number; amount: number; net: number }> | null;
  payments: readonly Readonly<{ label: string; amount: number; refunded: number; at: string }>[];
  /** Cash the guest handed over at the desk and the change given back (找零); null when the desk entered none. */
  cash: Readonly<{ tendered: number; change: number }> | null;
  /** What was paid beyond the bill and given back at check-out. */
  refund: number;
  printedAt: string;
}>;

export const localTime = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' }).format(at);

/**
 * The receipt of a checked-out booking from the read models (`rm.bookings` with the bill check-out
 * recorded, `rm.payments`, `rm.rooms`, the venue settings); null when the booking is not there.
 */
export async function receiptOf(db: Kysely<ReadModels>, bookingId: string, now: Date) {
  const booking = await db
    .selectFrom('bookings as b')
    .leftJoin('rooms as r', 'r.id', 'b.room_id')
    .select([
      'b.booking_id',
      'b.guest_id',
      'b.guest_name',
      'b.party_size',
      'b.start_at',
      'b.status',
      'b.bill',
      'b.refund',
      'r.name as room_name',
    ])
    .select(sql<string>`b.business_date::text`.as('business_date'))
    .where('b.booking_id', '=', bookingId)
    .executeTakeFirst();
  if (!booking) return null;
  const [venue, payments] = await Promise.all([
    venueSettings(db),
    db
      .selectFrom('payments')
      .select(['method', 'amount', 'refunded', 'paid_at', 'tendered', 'change'])
      .where('booking_id', '=', bookingId)
      .where('status', '=', 'succeeded')
      .orderBy('paid_at')
      .execute(),
  ]);
  const bill = booking.bill as Bill | null;
  const receipt = (b: Bill): Receipt => ({
    venueName: venue.venueName,
    bookingId,
    roomName: booking.room_name ?? booking.booking_id,
    businessDate: booking.business_date,
    start: localTime(booking.start_at, venue.timeZone),
    partySize: booking.party_size,
    guestName: booking.guest_name,
    lines: linesOf(b).map((l) => ({ label: LINE_LABELS[l.kind], description: l.description, amount: l.amount })),
    total: b.total,
    tax: b.tax ? { ratePercent: b.tax.ratePercent, amount: b.tax.amount, net: b.total - b.tax.amount } : null,
    payments: payments.map((p) => ({
      label: METHOD_LABELS[p.method] ?? p.method,
      amount: Number(p.amount),
      refunded: Number(p.refunded),
      at: p.paid_at ? localTime(p.paid_at, venue.timeZone) : '',
    })),
    cash: cashTendered(payments),
    refund: Number(booking.refund),
    printedAt: localTime(now, venue.timeZone),
  });
  return { guestId: booking.guest_id, status: booking.status, receipt: bill && booking.status === 'checked_out' ? receipt(bill) : null };
}

/** What the cash payments record as tendered and given back, added up; null when none records it. */
function cashTendered(payments: readonly { tendered: number | null; change: number | null }[]) {
  const given = payments.filter((p) => p.tendered !== null);
  if (given.length === 0) return null;
  return { tendered: given.reduce((s, p) => s + (p.tendered ?? 0), 0), change: given.reduce((s, p) => s + (p.change ?? 0), 0) };
}

/** ¥12.34 from fen, negative amounts with a minus sign. */
export const yuan = (fen: number) => `${fen < 0 ? '-' : ''}¥${(Math.abs(fen) / 100).toFixed(2)}`;
