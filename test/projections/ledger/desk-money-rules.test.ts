import t from 'tap';
import { post, postWallet, type Line } from '../../../projections/ledger/rules.js';
import { ACCOUNTS } from '../../../projections/ledger/accounts.js';
import type { WalletEvent } from '../../../src/events/wallets.js';

/**
 * Posting rules for money at the desk. Stored value: paid value owed 2241, bonus value owed 2242 (granted at the cost
 * of a promotion, 5601), and 1020 where the wallet's side of a payment meets the payment's side.
 */
const { cash, stored_value: applied, storedValuePaid: paidSv, storedValueBonus: bonusSv, bonusCost, deposits } = ACCOUNTS;
const dr = (account: Line['account'], amount: number): Line => ({ account, debit: amount, credit: 0 });
const cr = (account: Line['account'], amount: number): Line => ({ account, debit: 0, credit: amount });
const at = new Date('2026-03-13T20:00:00+08:00').toISOString();
const userId = 'member-1';

const events: Record<string, WalletEvent> = {
  toppedUp: {
    type: 'StoredValueToppedUp',
    data: { userId, topUpId: 't1', method: 'cash', paid: 100_000, bonus: 20_000, bonusExpiresAt: null, by: 'waiter', at },
  },
  spent: {
    type: 'StoredValueSpent',
    data: {
      userId,
      paymentId: 'p1',
      bookingId: 'bk-1',
      paid: 3_000,
      bonus: 2_000,
      bonusFrom: [{ topUpId: 't1', amount: 2_000 }],
      by: 'guest',
      at,
    },
  },
  returned: {
    type: 'StoredValueReturned',
    data: {
      userId,
      paymentId: 'p1',
      bookingId: 'bk-1',
      refundId: 'r1',
      paid: 3_000,
      bonus: 1_000,
      bonusTo: [{ topUpId: 't1', amount: 1_000 }],
      at,
    },
  },
  expired: { type: 'StoredValueBonusExpired', data: { userId, topUpId: 't1', amount: 700, at } },
};

t.test('each wallet event posts balanced lines, paid and bonus value apart', async (t) => {
  t.strictSame(postWallet(events.toppedUp!).lines, [
    dr(cash.code, 100_000),
    cr(paidSv.code, 100_000),
    dr(bonusCost.code, 20_000),
    cr(bonusSv.code, 20_000),
  ]);
  t.strictSame(postWallet(events.spent!).lines, [dr(paidSv.code, 3_000), dr(bonusSv.code, 2_000), cr(applied.code, 5_000)]);
  t.strictSame(postWallet(events.returned!).lines, [dr(applied.code, 4_000), cr(paidSv.code, 3_000), cr(bonusSv.code, 1_000)]);
  t.strictSame(postWallet(events.expired!).lines, [dr(bonusSv.code, 700), cr(bonusCost.code, 700)], 'a lapsed bonus reverses its cost');
  for (const [name, e] of Object.entries(events)) {
    const lines = postWallet(e).lines;
    t.equal(
      lines.reduce((s, l) => s + l.debit, 0),
      lines.reduce((s, l) => s + l.credit, 0),
      `${name} balances`,
    );
  }
});

t.test('a top-up with no bonus posts no bonus lines', async (t) => {
  const plain: WalletEvent = { ...events.toppedUp!, data: { ...(events.toppedUp!.data as object), bonus: 0 } } as WalletEvent;
  t.strictSame(postWallet(plain).lines, [dr(cash.code, 100_000), cr(paidSv.code, 100_000)]);
});

t.test('the stored-value payment takes what the wallet gave into deposits, so 1020 nets to zero', async (t) => {
  const payment = post(
    {
      type: 'PaymentSucceeded',
      data: {
        paymentId: 'p1',
        bookingId: 'bk-1',
        method: 'stored_value',
        purpose: 'deposit',
        transactionId: 'x',
        amount: 5_000,
        paidAt: at,
        at,
      },
    },
    { depositsHeld: 0, checkedOut: false },
  );
  t.strictSame(payment?.lines, [dr(applied.code, 5_000), cr(deposits.code, 5_000)]);
});

t.test('a refund approved after check-out takes back revenue (6004) and its VAT, and holds the money for the guest', async (t) => {
  const approved = post(
    {
      type: 'RefundAuthorised',
      data: {
        paymentId: 'p1',
        bookingId: 'bk-1',
        refundId: 'p1-r1',
        amount: 1_060,
        reason: 'mic broken',
        requestedBy: 'w',
        approvedBy: 'm',
        vatRatePercent: 6,
        at,
      },
    },
    { depositsHeld: 0, checkedOut: true },
  );
  t.strictSame(approved?.lines, [dr(ACCOUNTS.refundsAfterCheckOut.code, 1_000), dr(ACCOUNTS.outputVat.code, 60), cr(deposits.code, 1_060)]);
  t.strictSame(approved?.balance, { depositsHeld: 1_060, checkedOut: true }, 'the refund itself then posts against it');
});
