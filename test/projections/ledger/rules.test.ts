import t, { type Test } from 'tap';
import { post, postsNothing, type BookingBalance, type Line, type Posting } from '../../../projections/ledger/rules.js';
import { ACCOUNTS } from '../../../projections/ledger/accounts.js';
import type { BookingEvent, Price } from '../../../src/events/bookings.js';
import type { PaymentEvent, PaymentMethod, PaymentPurpose } from '../../../src/events/payments.js';

/**
 * The double-entry posting rules, one event at a time. Accounts: clearing per
 * method (cash 1001, card 1003, WeChat Pay 1012, sandbox 1019), guests'
 * receivables 1122, customer deposits 2203, room revenue 6001, food and drink revenue 6002,
 * forfeits 6051.
 */
const { cash, card, wechatpay, sandbox, receivable, deposits, outputVat, roomRevenue, productRevenue, adjustments, forfeits } = ACCOUNTS;

const dr = (account: Line['account'], amount: number): Line => ({ account, debit: amount, credit: 0 });
const cr = (account: Line['account'], amount: number): Line => ({ account, debit: 0, credit: amount });

const fresh: BookingBalance = { depositsHeld: 0, checkedOut: false };
const holding = (depositsHeld: number, checkedOut = false): BookingBalance => ({ depositsHeld, checkedOut });

const at = new Date('2026-03-13T20:00:00+08:00').toISOString();
const ids = { paymentId: 'pay-1', bookingId: 'bk-1' };

const paid = (amount: number, method: PaymentMethod = 'wechatpay', purpose: PaymentPurpose = 'deposit'): PaymentEvent => ({
  type: 'PaymentSucceeded',
  data: { ...ids, method, purpose, transactionId: 'tx-1', amount, paidAt: at, at },
});
const refunded = (amount: number, method: PaymentMethod = 'wechatpay'): PaymentEvent => ({
  type: 'RefundSucceeded',
  data: { ...ids, method, refundId: 'rf-1', amount, at },
});
const checkedOut = (total: number, paid: number): BookingEvent => ({
  type: 'BookingCheckedOut',
  data: { bookingId: 'bk-1', bill: { total, paid, due: Math.max(0, total - paid), currency: 'CNY' }, by: 'user-waiter', at },
});
const noShow = (forfeited: number): BookingEvent => ({
  type: 'BookingMarkedNoShow',
  data: { bookingId: 'bk-1', forfeited, by: 'user-waiter', at },
});
const cancelled = (refund: number): BookingEvent => ({
  type: 'BookingCancelled',
  data: { bookingId: 'bk-1', reason: 'plans changed', refund, overridden: false, by: 'user-guest', at },
});

/** Every line is a debit or a credit of a positive whole number of fen, and debits equal credits. */
function balanced(t: Test, posting: Posting | null) {
  if (!posting) return t.fail('expected a posting');
  const debits = posting.lines.reduce((s, l) => s + l.debit, 0);
  const credits = posting.lines.reduce((s, l) => s + l.credit, 0);
  t.equal(debits, credits, `balances: debits ${debits} = credits ${credits}`);
  t.ok(
    posting.lines.every((l) => Number.isInteger(l.debit) && Number.isInteger(l.credit) && l.debit > 0 !== l.credit > 0),
    'each line is one positive amount in whole fen, on one side',
  );
}

function posts(
  t: Test,
  posting: Posting | null,
  expected: Readonly<{ lines: readonly Line[]; balance: BookingBalance; description: string }>,
) {
  t.strictSame(posting?.lines, expected.lines, 'lines');
  t.strictSame(posting?.balance, expected.balance, 'balance after');
  t.equal(posting?.description, expected.description, 'description');
  balanced(t, posting);
}

t.test('payment succeeded: a deposit is debited to its clearing account and held as a customer deposit', async (t) => {
  posts(t, post(paid(5400), fresh), {
    lines: [dr(wechatpay.code, 5400), cr(deposits.code, 5400)],
    balance: holding(5400),
    description: 'wechatpay deposit received',
  });
});

t.test('payment succeeded: each method clears through its own account', async (t) => {
  const methods = { cash: cash.code, card: card.code, wechatpay: wechatpay.code, sandbox: sandbox.code } as const;
  for (const [method, account] of Object.entries(methods) as [PaymentMethod, Line['account']][]) {
    t.strictSame(post(paid(1000, method), fresh)?.lines, [dr(account, 1000), cr(deposits.code, 1000)], `${method} → ${account}`);
  }
});

t.test('payment succeeded: a balance paid before check-out is held like a deposit, on top of what is held', async (t) => {
  posts(t, post(paid(12600, 'cash', 'balance'), holding(5400)), {
    lines: [dr(cash.code, 12600), cr(deposits.code, 12600)],
    balance: holding(18000), // 5400 + 12600
    description: 'cash balance received',
  });
});

t.test('payment succeeded: a balance paid after check-out settles the guest’s receivable', async (t) => {
  posts(t, post(paid(12600, 'card', 'balance'), holding(0, true)), {
    lines: [dr(card.code, 12600), cr(receivable.code, 12600)],
    balance: holding(0, true),
    description: 'card payment of the balance',
  });
});

t.test('refund succeeded: the deposit is paid back out through the clearing account', async (t) => {
  posts(t, post(refunded(5400), holding(5400)), {
    lines: [dr(deposits.code, 5400), cr(wechatpay.code, 5400)],
    balance: holding(0),
    description: 'wechatpay refund',
  });
});

t.test('check-out: the deposit held is applied to the bill, the rest becomes a receivable, all of it revenue', async (t) => {
  // Bill 180.00, 54.00 held: 54.00 from deposits + 126.00 receivable = 180.00 revenue.
  posts(t, post(checkedOut(18000, 5400), holding(5400)), {
    lines: [dr(deposits.code, 5400), dr(receivable.code, 12600), cr(roomRevenue.code, 18000)],
    balance: holding(0, true),
    description: 'room revenue recognised at check-out',
  });
});

t.test('check-out: an itemised bill credits room time and food and drink to their own revenue accounts', async (t) => {
  // Room 180.00 + extension 90.00 + beer 60.00 + fruit 68.00 = 398.00; 54.00 held.
  const lines = [
    { kind: 'room', description: 'Room', amount: 18000 },
    { kind: 'extension', description: 'Extension', amount: 9000 },
    { kind: 'product', description: 'Beer × 4 bottle', amount: 6000 },
    { kind: 'product', description: 'Fruit platter × 1 plate', amount: 6800 },
  ] as const;
  const event: BookingEvent = {
    type: 'BookingCheckedOut',
    data: { bookingId: 'bk-1', bill: { total: 39800, paid: 5400, due: 34400, currency: 'CNY', lines }, by: 'user-waiter', at },
  };
  posts(t, post(event, holding(5400)), {
    lines: [dr(deposits.code, 5400), dr(receivable.code, 34400), cr(roomRevenue.code, 27000), cr(productRevenue.code, 12800)],
    balance: holding(0, true),
    description: 'room and product revenue recognised at check-out',
  });
});

t.test('check-out: a minimum-spend top-up is room revenue; what came off the bill is contra-revenue, revenue stays gross', async (t) => {
  const lines = [
    { kind: 'room', description: 'Room', amount: 18000 },
    { kind: 'product', description: 'Beer × 4 bottle', amount: 6000 },
    { kind: 'minimum_spend', description: 'Minimum spend ¥300.00', amount: 6000 },
    { kind: 'adjustment', description: 'Discount 10 %: regulars', amount: -3000 },
  ] as const;
  const event: BookingEvent = {
    type: 'BookingCheckedOut',
    data: { bookingId: 'bk-1', bill: { total: 27000, paid: 5400, due: 21600, currency: 'CNY', lines }, by: 'user-waiter', at },
  };
  posts(t, post(event, holding(5400)), {
    lines: [
      dr(deposits.code, 5400),
      dr(receivable.code, 21600),
      dr(adjustments.code, 3000),
      cr(roomRevenue.code, 24000),
      cr(productRevenue.code, 6000),
    ],
    balance: holding(0, true),
    description: 'room and product revenue recognised at check-out',
  });
});

t.test('check-out with VAT: the tax is owed (2221) and each part of the revenue is recognised without it', async (t) => {
  // 270.00 billed at 6 % included: tax 15.28, shared over room 240.00, drinks 60.00 and a −30.00 discount.
  const lines = [
    { kind: 'room', description: 'Room', amount: 24000 },
    { kind: 'product', description: 'Beer × 4 bottle', amount: 6000 },
    { kind: 'adjustment', description: 'Discount: regulars', amount: -3000 },
  ] as const;
  const event: BookingEvent = {
    type: 'BookingCheckedOut',
    data: {
      bookingId: 'bk-1',
      bill: { total: 27000, paid: 27000, due: 0, currency: 'CNY', lines, tax: { ratePercent: 6, amount: 1528 } },
      by: 'user-waiter',
      at,
    },
  };
  posts(t, post(event, holding(27000)), {
    lines: [
      dr(deposits.code, 27000),
      dr(adjustments.code, 2830),
      cr(roomRevenue.code, 22642),
      cr(productRevenue.code, 5660),
      cr(outputVat.code, 1528),
    ],
    balance: holding(0, true),
    description: 'room and product revenue recognised at check-out',
  });
});

t.test('orders and voids post nothing until check-out recognises the bill', async (t) => {
  const line = {
    lineNo: 1,
    productId: 'p-1',
    name: 'Beer',
    category: 'drinks',
    unit: 'bottle',
    quantity: 1,
    unitPrice: 1500,
    amount: 1500,
  };
  t.equal(post({ type: 'OrderPlaced', data: { bookingId: 'bk-1', orderId: 'o-1', lines: [line], total: 1500, by: 'w', at } }, fresh), null);
  const voided = { bookingId: 'bk-1', orderId: 'o-1', lineNo: 1, productId: 'p-1', quantity: 1, amount: 1500, reason: 'x', by: 'm', at };
  t.equal(post({ type: 'OrderLineVoided', data: voided }, fresh), null);
});

t.test('check-out: a bill paid in full beforehand leaves no receivable line', async (t) => {
  posts(t, post(checkedOut(18000, 18000), holding(18000)), {
    lines: [dr(deposits.code, 18000), cr(roomRevenue.code, 18000)],
    balance: holding(0, true),
    description: 'room revenue recognised at check-out',
  });
});

t.test('check-out: more held than the bill applies only the bill, the rest stays held (to be refunded)', async (t) => {
  // Held 200.00 against a 150.00 bill (moved to a cheaper room): 150.00 applied, 50.00 still held.
  posts(t, post(checkedOut(15000, 20000), holding(20000)), {
    lines: [dr(deposits.code, 15000), cr(roomRevenue.code, 15000)],
    balance: holding(5000, true),
    description: 'room revenue recognised at check-out',
  });
});

t.test('check-out then the refund of what was paid beyond the bill: customer deposits net to zero', async (t) => {
  // Deposit 240.00 through the sandbox, bill 75.00 after a move: 75.00 applied at check-out, 165.00 refunded after it.
  const held = post(paid(24000, 'sandbox'), fresh);
  const out = post(checkedOut(7500, 24000), held!.balance);
  const back = post(refunded(16500, 'sandbox'), out!.balance);
  posts(t, back, {
    lines: [dr(deposits.code, 16500), cr(sandbox.code, 16500)],
    balance: holding(0, true),
    description: 'sandbox refund',
  });
  const net = (code: string) =>
    [held, out, back].flatMap((p) => p!.lines).reduce((s, l) => s + (l.account === code ? l.debit - l.credit : 0), 0);
  t.equal(net(deposits.code), 0, '2203 holds nothing for the booking');
  t.equal(net(sandbox.code), 7500, 'the sandbox keeps the bill');
  t.equal(net(roomRevenue.code), -7500, 'revenue is the bill');
});

t.test('check-out: nothing held (a walk-in) makes the whole bill a receivable', async (t) => {
  posts(t, post(checkedOut(18000, 0), fresh), {
    lines: [dr(receivable.code, 18000), cr(roomRevenue.code, 18000)],
    balance: holding(0, true),
    description: 'room revenue recognised at check-out',
  });
});

t.test('check-out: a zero bill with nothing held has no lines, and marks the booking checked out', async (t) => {
  t.strictSame(post(checkedOut(0, 0), fresh), {
    description: 'room revenue recognised at check-out',
    lines: [],
    balance: holding(0, true),
  });
});

t.test('no-show: the deposit held is forfeited to income', async (t) => {
  posts(t, post(noShow(5400), holding(5400)), {
    lines: [dr(deposits.code, 5400), cr(forfeits.code, 5400)],
    balance: holding(0),
    description: 'deposit forfeited by a no-show',
  });
});

t.test('no-show: with nothing held there is nothing to post', async (t) => {
  t.equal(post(noShow(0), fresh), null);
});

t.test('cancel: on a late cancellation the deposit not refunded is kept as income', async (t) => {
  posts(t, post(cancelled(0), holding(5400)), {
    lines: [dr(deposits.code, 5400), cr(forfeits.code, 5400)],
    balance: holding(0),
    description: 'deposit kept on a late cancellation',
  });
});

t.test('cancel: a partial refund keeps the rest as income; the refund itself posts when it succeeds', async (t) => {
  // Held 180.00, 54.00 to be refunded: 126.00 kept, 54.00 stays held until the refund succeeds.
  posts(t, post(cancelled(5400), holding(18000)), {
    lines: [dr(deposits.code, 12600), cr(forfeits.code, 12600)],
    balance: holding(5400),
    description: 'deposit kept on a late cancellation',
  });
});

t.test('cancel: a full refund, or nothing held, posts nothing', async (t) => {
  t.equal(post(cancelled(5400), holding(5400)), null, 'all of it refunded');
  t.equal(post(cancelled(0), fresh), null, 'nothing held');
});

t.test('events that move no money post nothing, whatever is held: the ledger need not read the balance for them', async (t) => {
  const price: Price = {
    total: 18000,
    deposit: 5400,
    currency: 'CNY',
    rateCardVersion: 1,
    breakdown: {
      bands: [],
      package: null,
      subtotal: 18000,
      discount: { level: 'regular', percent: 0, amount: 0 },
      minimumSpend: { amount: 0, topUp: 0 },
    },
    dynamic: null,
  };
  const stay = {
    bookingId: 'bk-1',
    roomId: 'room-s01',
    roomTypeId: 'small',
    guestName: null,
    guestPhone: null,
    bookedBy: 'user-guest',
    partySize: 2,
    start: at,
    end: at,
    businessDate: '2026-03-13',
    price,
    at,
  };
  const events: readonly (BookingEvent | PaymentEvent)[] = [
    { type: 'BookingHeld', data: { ...stay, guestId: 'user-guest', holdExpiresAt: at } },
    { type: 'WalkInStarted', data: stay },
    { type: 'BookingConfirmed', data: { bookingId: 'bk-1', paymentId: 'pay-1', amountPaid: 5400, by: 'user-guest', at } },
    { type: 'DepositPartPaid', data: { bookingId: 'bk-1', paymentId: 'sv-1', amount: 2000, due: 3400, by: 'user-guest', at } },
    { type: 'BookingExpired', data: { bookingId: 'bk-1', at } },
    { type: 'BookingCheckedIn', data: { bookingId: 'bk-1', by: 'user-waiter', at } },
    { type: 'BookingExtended', data: { bookingId: 'bk-1', minutes: 60, end: at, price, by: 'user-waiter', at } },
    {
      type: 'BookingMoved',
      data: {
        bookingId: 'bk-1',
        fromRoomId: 'room-s01',
        toRoomId: 'room-m01',
        toRoomTypeId: 'medium',
        priceDifference: 9000,
        newTotal: 27000,
        by: 'user-waiter',
        at,
      },
    },
    {
      type: 'PaymentStarted',
      data: { ...ids, purpose: 'deposit', method: 'wechatpay', amount: 5400, providerOrderId: null, by: 'user-guest', at },
    },
    { type: 'PaymentClosed', data: { ...ids, reason: 'timed out', at } },
    { type: 'RefundRequested', data: { ...ids, refundId: 'rf-1', amount: 5400, reason: 'cancelled', at } },
    { type: 'RefundFailed', data: { ...ids, refundId: 'rf-1', reason: 'declined', at } },
  ];
  for (const e of events) {
    t.ok(postsNothing(e), `${e.type} is known to post nothing`);
    t.equal(post(e, holding(5400)), null, e.type);
  }
  t.notOk(
    [paid(5400), refunded(5400), checkedOut(18000, 5400), noShow(5400), cancelled(0)].some(postsNothing),
    'events that may post need the balance',
  );
});

t.test('a booking’s whole life nets out: deposits end at zero and every entry balances', async (t) => {
  // Deposit 54.00 by WeChat Pay, bill 180.00 at check-out, balance 126.00 in cash afterwards.
  let balance = fresh;
  const entries: Posting[] = [];
  for (const e of [paid(5400), checkedOut(18000, 5400), paid(12600, 'cash', 'balance')]) {
    const posting = post(e, balance);
    if (posting) {
      entries.push(posting);
      balance = posting.balance;
    }
  }
  for (const entry of entries) balanced(t, entry);
  const net = (code: string) =>
    entries
      .flatMap((e) => e.lines)
      .filter((l) => l.account === code)
      .reduce((s, l) => s + l.debit - l.credit, 0);
  t.equal(net(deposits.code), 0, 'no deposit left held');
  t.equal(net(receivable.code), 0, 'nothing left owed');
  t.equal(net(roomRevenue.code), -18000, '180.00 of revenue (a credit)');
  t.equal(net(wechatpay.code) + net(cash.code), 18000, '180.00 collected');
  t.strictSame(balance, holding(0, true));
});
