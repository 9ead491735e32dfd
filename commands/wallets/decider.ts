import { ConflictError, UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { BonusPart, TopUpMethod, WalletEvent } from '../../src/events/wallets.js';

/** One top-up's bonus still to spend, with its expiry (null: none). */
type BonusLot = Readonly<{ topUpId: string; left: number; expiresAt: string | null }>;
/** What a payment took from the wallet and what of it has come back. */
type Spend = Readonly<{ bookingId: string; paid: number; bonusFrom: readonly BonusPart[]; returnedPaid: number; returnedBonus: number }>;

export type Wallet = Readonly<{
  paid: number;
  lots: readonly BonusLot[];
  /** What each top-up took at the desk, so its till record can be made again from the wallet. */
  topUps: ReadonlyMap<string, Readonly<{ method: TopUpMethod; paid: number }>>;
  spends: ReadonlyMap<string, Spend>;
  refunds: ReadonlySet<string>;
}>;

export type WalletCommand =
  | Readonly<{
      type: 'TopUp';
      userId: string;
      topUpId: string;
      method: TopUpMethod;
      paid: number;
      bonus: number;
      bonusExpiresAt: Date | null;
      by: string;
      now: Date;
    }>
  | Readonly<{ type: 'Spend'; userId: string; paymentId: string; bookingId: string; amount: number; by: string; now: Date }>
  | Readonly<{ type: 'Return'; userId: string; paymentId: string; refundId: string; amount: number; now: Date }>
  | Readonly<{ type: 'ExpireBonus'; userId: string; now: Date }>;

const live = (lot: BonusLot, now: Date) => lot.left > 0 && (lot.expiresAt === null || new Date(lot.expiresAt) > now);

/** What the member can spend at `now`: paid value and the bonus not yet lapsed. */
export function balanceOf(w: Wallet, now: Date) {
  const bonus = w.lots.filter((l) => live(l, now)).reduce((s, l) => s + l.left, 0);
  return { paid: w.paid, bonus, total: w.paid + bonus };
}

/** Bonus lapses when a command touches the wallet after its expiry, so the ledger hears of it before anything else. */
function expiries(userId: string, w: Wallet, now: Date): WalletEvent[] {
  return w.lots
    .filter((l) => l.left > 0 && !live(l, now))
    .map((l) => ({ type: 'StoredValueBonusExpired', data: { userId, topUpId: l.topUpId, amount: l.left, at: now.toISOString() } }));
}

/** Bonus is spent before paid value (it may lapse, paid value never does), the soonest to lapse first. */
function takeBonus(w: Wallet, amount: number, now: Date): BonusPart[] {
  const order = w.lots
    .filter((l) => live(l, now))
    .sort((a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999') || a.topUpId.localeCompare(b.topUpId));
  const parts: BonusPart[] = [];
  let left = amount;
  for (const lot of order) {
    if (left === 0) break;
    const take = Math.min(left, lot.left);
    parts.push({ topUpId: lot.topUpId, amount: take });
    left -= take;
  }
  return parts;
}

const withLots = (w: Wallet, parts: readonly BonusPart[], sign: 1 | -1): readonly BonusLot[] =>
  w.lots.map((l) => {
    const moved = parts.filter((p) => p.topUpId === l.topUpId).reduce((s, p) => s + p.amount, 0);
    return moved === 0 ? l : { ...l, left: l.left + sign * moved };
  });

export const walletDecider: Decider<Wallet, WalletCommand, WalletEvent> = {
  initialState: () => ({ paid: 0, lots: [], topUps: new Map(), spends: new Map(), refunds: new Set() }),
  evolve: (w, e) => {
    switch (e.type) {
      case 'StoredValueToppedUp': {
        const d = e.data;
        const lots = d.bonus > 0 ? [...w.lots, { topUpId: d.topUpId, left: d.bonus, expiresAt: d.bonusExpiresAt }] : w.lots;
        return { ...w, paid: w.paid + d.paid, lots, topUps: new Map(w.topUps).set(d.topUpId, { method: d.method, paid: d.paid }) };
      }
      case 'StoredValueSpent': {
        const d = e.data;
        const spends = new Map(w.spends).set(d.paymentId, {
          bookingId: d.bookingId,
          paid: d.paid,
          bonusFrom: d.bonusFrom,
          returnedPaid: 0,
          returnedBonus: 0,
        });
        return { ...w, paid: w.paid - d.paid, lots: withLots(w, d.bonusFrom, -1), spends };
      }
      case 'StoredValueReturned': {
        const d = e.data;
        const spends = new Map(w.spends);
        const s = spends.get(d.paymentId);
        if (s) spends.set(d.paymentId, { ...s, returnedPaid: s.returnedPaid + d.paid, returnedBonus: s.returnedBonus + d.bonus });
        return { ...w, paid: w.paid + d.paid, lots: withLots(w, d.bonusTo, 1), spends, refunds: new Set(w.refunds).add(d.refundId) };
      }
      case 'StoredValueBonusExpired':
        return { ...w, lots: w.lots.map((l) => (l.topUpId === e.data.topUpId ? { ...l, left: l.left - e.data.amount } : l)) };
      default: {
        const never: never = e;
        throw new Error(`unknown wallet event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, w) => {
    const at = c.now.toISOString();
    switch (c.type) {
      case 'TopUp': {
        if (w.topUps.has(c.topUpId)) return [];
        const { type: _t, now: _n, bonusExpiresAt, ...data } = c;
        const bonusAt = c.bonus > 0 && bonusExpiresAt ? bonusExpiresAt.toISOString() : null;
        return [...expiries(c.userId, w, c.now), { type: 'StoredValueToppedUp', data: { ...data, bonusExpiresAt: bonusAt, at } }];
      }
      case 'Spend': {
        if (w.spends.has(c.paymentId)) return [];
        const balance = balanceOf(w, c.now);
        if (c.amount > balance.total)
          throw new ConflictError('insufficient_balance', `The balance is ${balance.total} fen; ${c.amount} is needed.`, {
            balance: balance.total,
            needed: c.amount,
          });
        const bonusFrom = takeBonus(w, Math.min(c.amount, balance.bonus), c.now);
        const bonus = bonusFrom.reduce((s, p) => s + p.amount, 0);
        return [
          ...expiries(c.userId, w, c.now),
          {
            type: 'StoredValueSpent',
            data: {
              userId: c.userId,
              paymentId: c.paymentId,
              bookingId: c.bookingId,
              paid: c.amount - bonus,
              bonus,
              bonusFrom,
              by: c.by,
              at,
            },
          },
        ];
      }
      case 'Return': {
        if (w.refunds.has(c.refundId)) return [];
        const s = w.spends.get(c.paymentId);
        if (!s) throw new ConflictError('payment_not_from_wallet', 'This payment did not come from this member’s stored value.');
        const spentBonus = s.bonusFrom.reduce((sum, p) => sum + p.amount, 0);
        const left = s.paid - s.returnedPaid + spentBonus - s.returnedBonus;
        if (c.amount <= 0 || c.amount > left) throw new UnprocessableError('refund_too_large', `At most ${left} fen can go back.`);
        // Paid value goes back first (it never lapses); bonus goes back to the top-ups it came from, with their expiry.
        const paid = Math.min(c.amount, s.paid - s.returnedPaid);
        let rest = c.amount - paid;
        let skip = s.returnedBonus;
        const bonusTo: BonusPart[] = [];
        for (const p of [...s.bonusFrom].reverse()) {
          const open = Math.max(0, p.amount - skip);
          skip = Math.max(0, skip - p.amount);
          const give = Math.min(open, rest);
          if (give > 0) bonusTo.push({ topUpId: p.topUpId, amount: give });
          rest -= give;
        }
        const returned: WalletEvent = {
          type: 'StoredValueReturned',
          data: {
            userId: c.userId,
            paymentId: c.paymentId,
            bookingId: s.bookingId,
            refundId: c.refundId,
            paid,
            bonus: c.amount - paid,
            bonusTo,
            at,
          },
        };
        // A bonus given back after its top-up lapsed lapses again at once.
        return [returned, ...expiries(c.userId, walletDecider.evolve(w, returned), c.now)];
      }
      case 'ExpireBonus':
        return expiries(c.userId, w, c.now);
      default: {
        const never: never = c;
        throw new Error(`unknown wallet command ${JSON.stringify(never)}`);
      }
    }
  },
};
