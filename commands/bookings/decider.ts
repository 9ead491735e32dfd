import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { AdjustmentApproval, AdjustmentKind, Bill, BillLine, BookingEvent, OrderLine } from '../../src/events/bookings.js';
import type { Price } from '../../src/events/bookings.js';
import { addMinutes } from '../../src/clock.js';

export type BookingStatus = 'held' | 'confirmed' | 'checked_in' | 'checked_out' | 'cancelled' | 'expired' | 'no_show';

export type Booking = Readonly<{
  status: BookingStatus;
  id: string;
  roomId: string;
  roomTypeId: string;
  guestId: string | null;
  partySize: number;
  start: Date;
  end: Date;
  businessDate: string;
  holdExpiresAt: Date | null;
  price: Price;
  /** The room price in force: the held price, or the re-priced total after a move. */
  basePrice: number;
  /** Extensions, added to the bill at check-out. */
  extraTotal: number;
  amountPaid: number;
  /** Payments that paid this booking's deposit (its parts, then the one that confirmed it), refunded from when it is cancelled. */
  paymentIds: readonly string[];
  /** Products ordered, each line with its order and whether it was voided. */
  orderLines: readonly OrderedLine[];
  /** Discounts, comps and round-offs, in the order they were made. */
  adjustments: readonly Adjustment[];
  /** What the whole bill (room time and products) must come to at least, for the room type in force. */
  minimumSpend: number;
  /** A walk-in with open timing: the room line is the time used, priced at check-out. */
  openTiming: boolean;
  /** The bill as check-out decided it; null until then. */
  closedBill: Bill | null;
}>;

export type Adjustment = Readonly<{
  adjustmentId: string;
  kind: AdjustmentKind;
  amount: number;
  percent: number | null;
  reason: string;
  approval: AdjustmentApproval;
}>;

/**
 * Who stands behind a correction: a manager (or admin) making it, a waiter on their own within
 * the venue's limit for one bill, or a manager approving a waiter's request (`by` is the manager).
 */
export type AdjustAuthority =
  Readonly<{ kind: 'manager' }> | Readonly<{ kind: 'waiter'; limit: number }> | Readonly<{ kind: 'request'; requestedBy: string }>;

/** Minutes of room time as billed (whole billing units) and their price: overtime, or the time used with open timing. */
export type Overtime = Readonly<{ minutes: number; amount: number }>;

export type OrderedLine = OrderLine & Readonly<{ orderId: string; voided: boolean }>;

export type BookingState = { status: 'none' } | Booking;

type At = Readonly<{ now: Date; by: string }>;
export type BookingCommand =
  | (At & Readonly<{ type: 'Hold'; data: Extract<BookingEvent, { type: 'BookingHeld' }>['data'] }>)
  | (At & Readonly<{ type: 'StartWalkIn'; data: Extract<BookingEvent, { type: 'WalkInStarted' }>['data'] }>)
  | (At & Readonly<{ type: 'Confirm'; paymentId: string | null; amount: number }>)
  | (At & Readonly<{ type: 'PayDepositPart'; paymentId: string; amount: number }>)
  | (At & Readonly<{ type: 'Cancel'; reason: string; override: boolean; fullRefundMinutesBefore: number }>)
  | (At & Readonly<{ type: 'Expire' }>)
  | (At & Readonly<{ type: 'CheckIn'; opensMinutesBefore: number }>)
  /** `from` is the end the caller read and priced the extra minutes from. */
  | (At & Readonly<{ type: 'Extend'; from: Date; minutes: number; price: Price }>)
  | (At & Readonly<{ type: 'Move'; toRoomId: string; toRoomTypeId: string; newTotal: number; minimumSpend: number }>)
  /** `timeUsed`: with open timing, the room time the party used, priced; it replaces the room line. */
  | (At & Readonly<{ type: 'CheckOut'; vatRatePercent: number; overtime: Overtime | null; timeUsed: Overtime | null }>)
  | (At & Readonly<{ type: 'PlaceOrder'; orderId: string; lines: readonly OrderLine[] }>)
  | (At & Readonly<{ type: 'VoidOrderLine'; orderId: string; lineNo: number; reason: string }>)
  | (At &
      Readonly<{
        type: 'Adjust';
        adjustmentId: string;
        kind: AdjustmentKind;
        amount: number | null;
        percent: number | null;
        reason: string;
        authority: AdjustAuthority;
      }>)
  | (At & Readonly<{ type: 'MarkNoShow'; graceMinutes: number }>);

function wrongStatus(b: Booking, action: string): never {
  throw new ConflictError(`booking_${b.status}`, `A ${b.status.replace('_', ' ')} booking cannot be ${action}.`, {
    bookingStatus: b.status,
  });
}

/** The bill's lines: the room price in force, extensions, and the products ordered (voided lines left out), one line per product. */
export function billLines(b: Booking, overtime: Overtime | null = null, timeUsed: Overtime | null = null): BillLine[] {
  const lines: BillLine[] = [
    timeUsed
      ? { kind: 'room', description: `Room ${timeUsed.minutes} min (open timing)`, amount: timeUsed.amount }
      : { kind: 'room', description: b.openTiming ? 'Room (open timing, first unit)' : 'Room', amount: b.basePrice },
  ];
  if (b.extraTotal > 0) lines.push({ kind: 'extension', description: 'Extension', amount: b.extraTotal });
  if (overtime) lines.push({ kind: 'overtime', description: `Overtime ${overtime.minutes} min`, amount: overtime.amount });
  const products = new Map<string, { name: string; unit: string; quantity: number; amount: number }>();
  for (const l of b.orderLines) {
    if (l.voided) continue;
    const p = products.get(l.productId) ?? { name: l.name, unit: l.unit, quantity: 0, amount: 0 };
    products.set(l.productId, { ...p, quantity: p.quantity + l.quantity, amount: p.amount + l.amount });
  }
  for (const p of products.values()) lines.push({ kind: 'product', description: `${p.name} × ${p.quantity} ${p.unit}`, amount: p.amount });
  // 最低消费: room time and products together come to at least the room type's minimum, before any adjustment.
  const spent = lines.reduce((sum, l) => sum + l.amount, 0);
  if (spent < b.minimumSpend) {
    lines.push({
      kind: 'minimum_spend',
      description: `Minimum spend ¥${(b.minimumSpend / 100).toFixed(2)}`,
      amount: b.minimumSpend - spent,
    });
  }
  for (const a of b.adjustments) lines.push({ kind: 'adjustment', description: adjustmentText(a), amount: -a.amount });
  return lines;
}

const ADJUSTMENT_NAMES: Record<AdjustmentKind, string> = { discount: 'Discount', comp: 'Comp', round_off: 'Round-off' };
const adjustmentText = (a: Adjustment) => `${ADJUSTMENT_NAMES[a.kind]}${a.percent === null ? '' : ` ${a.percent} %`}: ${a.reason}`;

/** What comes off a bill standing at `total`: a percentage or an amount, the whole of it for a comp, the small change for a round-off. */
function adjustmentAmount(c: Extract<BookingCommand, { type: 'Adjust' }>, total: number): number {
  switch (c.kind) {
    case 'comp':
      return total;
    case 'discount':
      return c.percent !== null ? Math.round((total * c.percent) / 100) : (c.amount ?? 0);
    case 'round_off':
      // 抹零: the jiao and fen below the yuan unless an amount is given.
      return c.amount ?? total % 100;
    default: {
      const never: never = c.kind;
      throw new Error(`unknown adjustment ${String(never)}`);
    }
  }
}

/** What waiters may still take off this bill on their own: the venue's limit less what they already took off. */
const waiterAllowance = (b: Booking, limit: number) =>
  limit - b.adjustments.reduce((sum, a) => sum + (a.approval === 'waiter_limit' ? a.amount : 0), 0);

function needsManager(b: Booking, authority: AdjustAuthority): ForbiddenError {
  const limit = authority.kind === 'waiter' ? authority.limit : 0;
  return new ForbiddenError(
    `Waiters may take off ${limit} fen of a bill without a manager; ask one with POST /bookings/${b.id}/adjustment-requests.`,
  );
}

/** What is still owed on a held booking's deposit: the deposit less the parts already paid. */
export const depositDue = (b: Booking) => Math.max(0, b.price.deposit - b.amountPaid);

/** What the guest owes in total: the sum of the bill's lines. */
export const billTotal = (b: Booking) => billLines(b).reduce((sum, l) => sum + l.amount, 0);

export function billOf(b: Booking, overtime: Overtime | null = null, timeUsed: Overtime | null = null): Bill {
  const lines = billLines(b, overtime, timeUsed);
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  return { total, paid: b.amountPaid, due: Math.max(0, total - b.amountPaid), currency: 'CNY', lines };
}

/** The VAT inside a tax-inclusive total, to the fen; a venue that charges none records none. */
function withTax(bill: Bill, ratePercent: number): Bill {
  if (ratePercent === 0) return bill;
  return { ...bill, tax: { ratePercent, amount: Math.round((bill.total * ratePercent) / (100 + ratePercent)) } };
}

export const bookingDecider: Decider<BookingState, BookingCommand, BookingEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, e) => {
    if (e.type === 'BookingHeld' || e.type === 'WalkInStarted') {
      const d = e.data;
      return {
        status: e.type === 'BookingHeld' ? 'held' : 'checked_in',
        id: d.bookingId,
        roomId: d.roomId,
        roomTypeId: d.roomTypeId,
        guestId: e.type === 'BookingHeld' ? e.data.guestId : null,
        partySize: d.partySize,
        start: new Date(d.start),
        end: new Date(d.end),
        businessDate: d.businessDate,
        holdExpiresAt: e.type === 'BookingHeld' ? new Date(e.data.holdExpiresAt) : null,
        price: d.price,
        basePrice: d.price.total,
        extraTotal: 0,
        amountPaid: 0,
        paymentIds: [],
        orderLines: [],
        adjustments: [],
        minimumSpend: d.price.breakdown.minimumSpend.amount,
        openTiming: e.type === 'WalkInStarted' && e.data.openTiming === true,
        closedBill: null,
      };
    }
    if (state.status === 'none') return state;
    switch (e.type) {
      case 'BookingConfirmed':
        return {
          ...state,
          status: 'confirmed',
          holdExpiresAt: null,
          amountPaid: state.amountPaid + e.data.amountPaid,
          paymentIds: e.data.paymentId ? [...state.paymentIds, e.data.paymentId] : state.paymentIds,
        };
      case 'DepositPartPaid':
        return { ...state, amountPaid: state.amountPaid + e.data.amount, paymentIds: [...state.paymentIds, e.data.paymentId] };
      case 'BookingCancelled':
        return { ...state, status: 'cancelled', amountPaid: state.amountPaid - e.data.refund };
      case 'BookingExpired':
        return { ...state, status: 'expired' };
      case 'BookingCheckedIn':
        return { ...state, status: 'checked_in' };
      case 'BookingExtended':
        return { ...state, end: new Date(e.data.end), extraTotal: state.extraTotal + e.data.price.total };
      case 'BookingMoved':
        return {
          ...state,
          roomId: e.data.toRoomId,
          roomTypeId: e.data.toRoomTypeId,
          basePrice: e.data.newTotal,
          minimumSpend: e.data.minimumSpend ?? state.minimumSpend,
        };
      case 'BookingCheckedOut':
        return { ...state, status: 'checked_out', amountPaid: e.data.bill.total, closedBill: e.data.bill };
      case 'BookingMarkedNoShow':
        return { ...state, status: 'no_show' };
      case 'OrderPlaced':
        return {
          ...state,
          orderLines: [...state.orderLines, ...e.data.lines.map((l) => ({ ...l, orderId: e.data.orderId, voided: false }))],
        };
      case 'BillAdjusted': {
        const { adjustmentId, kind, amount, percent, reason, approval = 'manager' } = e.data;
        return { ...state, adjustments: [...state.adjustments, { adjustmentId, kind, amount, percent, reason, approval }] };
      }
      case 'OrderLineVoided':
        return {
          ...state,
          orderLines: state.orderLines.map((l) =>
            l.orderId === e.data.orderId && l.lineNo === e.data.lineNo ? { ...l, voided: true } : l,
          ),
        };
      default: {
        const never: never = e;
        throw new Error(`unknown booking event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, state) => {
    const at = c.now.toISOString();
    if (c.type === 'Hold' || c.type === 'StartWalkIn') {
      if (state.status !== 'none') return []; // the same process step, retried
      return c.type === 'Hold' ? [{ type: 'BookingHeld', data: c.data }] : [{ type: 'WalkInStarted', data: c.data }];
    }
    if (state.status === 'none') throw new ConflictError('booking_not_found', 'No such booking.');
    const b = state;
    const bookingId = b.id;
    const now = c.now.getTime();
    switch (c.type) {
      case 'Confirm':
        if (b.status === 'confirmed') return [];
        if (b.status !== 'held') wrongStatus(b, 'confirmed');
        if (b.holdExpiresAt && b.holdExpiresAt.getTime() <= now)
          throw new ConflictError('hold_expired', 'The hold has expired; book again.');
        return [{ type: 'BookingConfirmed', data: { bookingId, paymentId: c.paymentId, amountPaid: c.amount, by: c.by, at } }];
      case 'PayDepositPart': {
        if (b.paymentIds.includes(c.paymentId)) return []; // the same payment, applied again
        if (b.status !== 'held') wrongStatus(b, 'paid a part of its deposit');
        if (b.holdExpiresAt && b.holdExpiresAt.getTime() <= now)
          throw new ConflictError('hold_expired', 'The hold has expired; book again.');
        const due = depositDue(b);
        // A part that covers the rest is no part: it confirms the booking (Confirm).
        if (c.amount <= 0 || c.amount >= due)
          throw new UnprocessableError('not_a_part', `A part of the deposit is more than 0 and less than the ${due} fen still due.`, {
            field: 'amount',
            due,
          });
        return [
          { type: 'DepositPartPaid', data: { bookingId, paymentId: c.paymentId, amount: c.amount, due: due - c.amount, by: c.by, at } },
        ];
      }
      case 'Cancel': {
        if (b.status === 'cancelled') return [];
        if (b.status !== 'held' && b.status !== 'confirmed') wrongStatus(b, 'cancelled');
        // Full refund of what was paid up to the cut-off before the start, none after; staff may override.
        // A held booking was never confirmed: the parts of its deposit paid so far all go back.
        const inTime = c.now <= addMinutes(b.start, -c.fullRefundMinutesBefore);
        const refund = inTime || c.override || b.status === 'held' ? b.amountPaid : 0;
        return [
          { type: 'BookingCancelled', data: { bookingId, reason: c.reason, refund, overridden: c.override && !inTime, by: c.by, at } },
        ];
      }
      case 'Expire':
        if (b.status !== 'held' || !b.holdExpiresAt || b.holdExpiresAt.getTime() > now) return [];
        return [{ type: 'BookingExpired', data: { bookingId, at } }];
      case 'CheckIn': {
        if (b.status === 'checked_in') return [];
        if (b.status !== 'confirmed') wrongStatus(b, 'checked in');
        const opensAt = addMinutes(b.start, -c.opensMinutesBefore);
        if (c.now < opensAt) {
          throw new ConflictError('check_in_too_early', `Check-in opens ${c.opensMinutesBefore} minutes before the start.`, {
            opensAt: opensAt.toISOString(),
          });
        }
        if (now >= b.end.getTime()) throw new ConflictError('booking_over', 'The booked time is over.');
        return [{ type: 'BookingCheckedIn', data: { bookingId, by: c.by, at } }];
      }
      case 'Extend': {
        if (b.status !== 'checked_in' && b.status !== 'confirmed') wrongStatus(b, 'extended');
        const end = addMinutes(c.from, c.minutes);
        if (b.end.getTime() !== c.from.getTime()) {
          // The same extension decided twice (a retry, or two clicks read the same end): the room time was claimed once, so it is billed once.
          if (b.end >= end) return [];
          throw new ConflictError('booking_changed', 'The booking changed while this extension was decided; look at it again.');
        }
        return [{ type: 'BookingExtended', data: { bookingId, minutes: c.minutes, end: end.toISOString(), price: c.price, by: c.by, at } }];
      }
      case 'Move':
        if (b.roomId === c.toRoomId) return [];
        if (b.status !== 'checked_in' && b.status !== 'confirmed' && b.status !== 'held') wrongStatus(b, 'moved');
        return [
          {
            type: 'BookingMoved',
            data: {
              bookingId,
              fromRoomId: b.roomId,
              toRoomId: c.toRoomId,
              toRoomTypeId: c.toRoomTypeId,
              priceDifference: c.newTotal - b.basePrice,
              newTotal: c.newTotal,
              minimumSpend: c.minimumSpend,
              by: c.by,
              at,
            },
          },
        ];
      case 'CheckOut':
        if (b.status === 'checked_out') return [];
        if (b.status !== 'checked_in') wrongStatus(b, 'checked out');
        return [
          {
            type: 'BookingCheckedOut',
            data: { bookingId, bill: withTax(billOf(b, c.overtime, c.timeUsed), c.vatRatePercent), by: c.by, at },
          },
        ];
      case 'PlaceOrder': {
        if (b.orderLines.some((l) => l.orderId === c.orderId)) return []; // the same order, retried
        if (b.status !== 'checked_in') {
          throw new ConflictError('not_in_room', 'Orders go on the bill of a party checked in to its room.', { bookingStatus: b.status });
        }
        const total = c.lines.reduce((sum, l) => sum + l.amount, 0);
        return [{ type: 'OrderPlaced', data: { bookingId, orderId: c.orderId, lines: c.lines, total, by: c.by, at } }];
      }
      case 'VoidOrderLine': {
        const line = b.orderLines.find((l) => l.orderId === c.orderId && l.lineNo === c.lineNo);
        if (!line) throw new NotFoundError('order line', `${c.orderId}/${c.lineNo}`);
        if (line.voided) return [];
        if (b.status !== 'checked_in') wrongStatus(b, 'changed by voiding an order line');
        const { productId, quantity, amount } = line;
        return [
          {
            type: 'OrderLineVoided',
            data: { bookingId, orderId: c.orderId, lineNo: c.lineNo, productId, quantity, amount, reason: c.reason, by: c.by, at },
          },
        ];
      }
      case 'Adjust': {
        if (b.adjustments.some((a) => a.adjustmentId === c.adjustmentId)) return []; // the same adjustment, retried
        // A waiter with nothing left to approve is refused before anything about the bill is told.
        const allowance = c.authority.kind === 'waiter' ? waiterAllowance(b, c.authority.limit) : Infinity;
        if (allowance <= 0) throw needsManager(b, c.authority);
        if (b.status !== 'checked_in') wrongStatus(b, 'adjusted');
        const standing = billTotal(b);
        const amount = adjustmentAmount(c, standing);
        if (amount <= 0) throw new UnprocessableError('nothing_to_adjust', 'This adjustment would take nothing off the bill.');
        if (amount > standing) {
          throw new UnprocessableError('adjustment_exceeds_bill', `The bill stands at ${standing} fen; no adjustment can take off more.`, {
            field: 'amount',
            standing,
          });
        }
        if (amount > allowance) throw needsManager(b, c.authority);
        const { kind: approval } = c.authority;
        const data = {
          bookingId,
          adjustmentId: c.adjustmentId,
          kind: c.kind,
          amount,
          percent: c.kind === 'discount' ? c.percent : null,
          reason: c.reason,
          requestedBy: c.authority.kind === 'request' ? c.authority.requestedBy : c.by,
          approvedBy: c.by,
          approval: approval === 'waiter' ? ('waiter_limit' as const) : approval,
          ...(approval === 'request' ? { requestId: c.adjustmentId } : {}),
          at,
        };
        return [{ type: 'BillAdjusted', data }];
      }
      case 'MarkNoShow':
        if (b.status === 'no_show') return [];
        if (b.status !== 'confirmed') wrongStatus(b, 'marked a no-show');
        if (c.now < addMinutes(b.start, c.graceMinutes)) {
          throw new ConflictError('too_early_for_no_show', `A booking becomes a no-show ${c.graceMinutes} minutes after its start.`);
        }
        return [{ type: 'BookingMarkedNoShow', data: { bookingId, forfeited: b.amountPaid, by: c.by, at } }];
      default: {
        const never: never = c;
        throw new UnprocessableError('unknown_command', JSON.stringify(never));
      }
    }
  },
};
