import t from 'tap';
import { DeciderSpecification } from '../../helpers/decider-spec.js';
import { balanceOf, walletDecider } from '../../../commands/wallets/decider.js';
import { bonusFor } from '../../../commands/wallets/bonus-rules.js';
import type { WalletEvent } from '../../../src/events/wallets.js';

const spec = DeciderSpecification.for(walletDecider);
const userId = 'member-1';
const now = new Date('2026-03-13T20:00:00+08:00');
const at = now.toISOString();
const later = new Date('2027-06-01T20:00:00+08:00');

const toppedUp = (topUpId: string, paid: number, bonus: number, bonusExpiresAt: string | null = null): WalletEvent => ({
  type: 'StoredValueToppedUp',
  data: { userId, topUpId, method: 'cash', paid, bonus, bonusExpiresAt, by: 'waiter', at },
});
const spent = (paymentId: string, paid: number, bonusFrom: { topUpId: string; amount: number }[]): WalletEvent => ({
  type: 'StoredValueSpent',
  data: { userId, paymentId, bookingId: 'bk-1', paid, bonus: bonusFrom.reduce((s, p) => s + p.amount, 0), bonusFrom, by: 'guest', at },
});
const spend = (paymentId: string, amount: number, when = now) =>
  ({ type: 'Spend', userId, paymentId, bookingId: 'bk-1', amount, by: 'guest', now: when }) as const;

t.test('spending takes bonus first, the soonest to lapse first, then paid value', async (t) => {
  spec(t)
    .given([toppedUp('t1', 10_000, 2_000, '2027-01-01T00:00:00.000Z'), toppedUp('t2', 5_000, 1_000, '2026-12-01T00:00:00.000Z')])
    .when(spend('p1', 4_000))
    .then([
      spent('p1', 1_000, [
        { topUpId: 't2', amount: 1_000 },
        { topUpId: 't1', amount: 2_000 },
      ]),
    ]);
});

t.test('a balance too small is refused with the balance; a payment is spent once', async (t) => {
  spec(t)
    .given([toppedUp('t1', 1_000, 0)])
    .when(spend('p1', 1_001))
    .thenThrows('insufficient_balance', { status: 409, detail: { balance: 1_000 } });
  spec(t)
    .given([toppedUp('t1', 1_000, 0), spent('p1', 500, [])])
    .when(spend('p1', 500))
    .thenNothing();
});

t.test('bonus past its expiry no longer counts, and lapses (recorded for the ledger) when the wallet is next used', async (t) => {
  const given = [toppedUp('t1', 1_000, 500, '2027-01-01T00:00:00.000Z')];
  t.same(balanceOf(given.reduce(walletDecider.evolve, walletDecider.initialState()), later), { paid: 1_000, bonus: 0, total: 1_000 });
  spec(t)
    .given(given)
    .when(spend('p1', 1_000, later))
    .then([
      { type: 'StoredValueBonusExpired', data: { userId, topUpId: 't1', amount: 500, at: later.toISOString() } },
      { ...spent('p1', 1_000, []), data: { ...(spent('p1', 1_000, []).data as object), at: later.toISOString() } } as WalletEvent,
    ]);
});

t.test('a refund goes back where it came from: paid value first, then bonus to its own top-up', async (t) => {
  const given = [toppedUp('t1', 1_000, 500), spent('p1', 300, [{ topUpId: 't1', amount: 500 }])];
  spec(t)
    .given(given)
    .when({ type: 'Return', userId, paymentId: 'p1', refundId: 'r1', amount: 600, now })
    .then([
      {
        type: 'StoredValueReturned',
        data: {
          userId,
          paymentId: 'p1',
          bookingId: 'bk-1',
          refundId: 'r1',
          paid: 300,
          bonus: 300,
          bonusTo: [{ topUpId: 't1', amount: 300 }],
          at,
        },
      },
    ]);
  spec(t).given(given).when({ type: 'Return', userId, paymentId: 'p1', refundId: 'r1', amount: 900, now }).thenThrows('refund_too_large');
  spec(t)
    .given(given)
    .when({ type: 'Return', userId, paymentId: 'p9', refundId: 'r1', amount: 1, now })
    .thenThrows('payment_not_from_wallet');
});

t.test('bonus tiers: the richest tier reached, with its validity', async (t) => {
  const rules = {
    tiers: [
      { from: 50_000, bonus: 5_000, validDays: null },
      { from: 100_000, bonus: 20_000, validDays: 30 },
    ],
  };
  t.same(bonusFor(rules, 49_999, now), { bonus: 0, expiresAt: null });
  t.same(bonusFor(rules, 50_000, now), { bonus: 5_000, expiresAt: null });
  t.same(bonusFor(rules, 250_000, now), { bonus: 20_000, expiresAt: new Date(now.getTime() + 30 * 86_400_000) });
});

t.test('the lapse sweep records only what has lapsed, once', async (t) => {
  const given = [toppedUp('t1', 1_000, 500, '2027-01-01T00:00:00.000Z'), toppedUp('t2', 0, 200, null)];
  spec(t)
    .given(given)
    .when({ type: 'ExpireBonus', userId, now: later })
    .then([{ type: 'StoredValueBonusExpired', data: { userId, topUpId: 't1', amount: 500, at: later.toISOString() } }]);
  spec(t).given(given).when({ type: 'ExpireBonus', userId, now }).thenNothing();
});
