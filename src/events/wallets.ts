import type { DomainEvent } from './event.js';

/** How money comes into a member's stored value at the desk. */
export type TopUpMethod = 'cash' | 'card' | 'wechatpay';

/** Bonus value taken from (or given back to) one top-up's bonus, which keeps that top-up's expiry. */
export type BonusPart = Readonly<{ topUpId: string; amount: number }>;

/**
 * Events of `wallet-<userId>` streams: a member's stored value (储值). Paid value and
 * bonus value are kept apart in every event, so the ledger can post them to their own accounts.
 */
export type WalletEvent =
  | DomainEvent<
      'StoredValueToppedUp',
      Readonly<{
        userId: string;
        topUpId: string;
        method: TopUpMethod;
        paid: number;
        bonus: number;
        /** When the bonus of this top-up lapses; null when it never does. */
        bonusExpiresAt: string | null;
        by: string;
        at: string;
      }>
    >
  | DomainEvent<
      'StoredValueSpent',
      Readonly<{
        userId: string;
        paymentId: string;
        bookingId: string;
        paid: number;
        bonus: number;
        bonusFrom: readonly BonusPart[];
        by: string;
        at: string;
      }>
    >
  | DomainEvent<
      'StoredValueReturned',
      Readonly<{
        userId: string;
        paymentId: string;
        bookingId: string;
        refundId: string;
        paid: number;
        bonus: number;
        bonusTo: readonly BonusPart[];
        at: string;
      }>
    >
  | DomainEvent<'StoredValueBonusExpired', Readonly<{ userId: string; topUpId: string; amount: number; at: string }>>;

export const walletStream = (userId: string) => `wallet-${userId}`;

/** A top-up of at least `from` fen earns `bonus` fen, valid `validDays` days (null: no expiry). */
export type BonusTier = Readonly<{ from: number; bonus: number; validDays: number | null }>;

/** Events of the one `storedvalue-bonus-rules` stream: the managers' bonus tiers, replaced as a whole. */
export type BonusRulesEvent = DomainEvent<'StoredValueBonusRulesSet', Readonly<{ tiers: readonly BonusTier[]; by: string; at: string }>>;

export const BONUS_RULES_STREAM = 'storedvalue-bonus-rules';
