import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { BonusRulesEvent, WalletEvent } from '../src/events/wallets.js';

export interface StoredValueAccountsTable {
  user_id: string;
  /** Paid value left (never lapses). */
  paid: number;
  updated_at: Date;
}
/** Each top-up's bonus still to spend; it counts in the balance until `expires_at`. */
export interface StoredValueLotsTable {
  top_up_id: string;
  user_id: string;
  bonus_left: number;
  expires_at: Date | null;
}
/** The statement: every movement of a member's stored value, paid and bonus apart (signed: money out is negative). */
export interface StoredValueMovementsTable {
  event_id: string;
  seq: number;
  user_id: string;
  kind: 'top_up' | 'spend' | 'return' | 'bonus_expired';
  paid: number;
  bonus: number;
  method: string | null;
  booking_id: string | null;
  payment_id: string | null;
  by: string | null;
  at: Date;
}
/** The managers' bonus tiers in force. */
export interface StoredValueBonusTiersTable {
  from_amount: number;
  bonus: number;
  valid_days: number | null;
}
export type StoredValueDatabase = {
  stored_value_bonus_tiers: StoredValueBonusTiersTable;
  stored_value_accounts: StoredValueAccountsTable;
  stored_value_lots: StoredValueLotsTable;
  stored_value_movements: StoredValueMovementsTable;
};

/** A movement row from a wallet event, and the bonus lots it touches (`+` gives bonus back to a lot, `-` takes it). */
export function movementOf(
  e: WalletEvent,
): Omit<StoredValueMovementsTable, 'event_id' | 'seq' | 'at'> & { lots: { topUpId: string; delta: number }[] } {
  const base = { user_id: e.data.userId, method: null, booking_id: null, payment_id: null, by: null };
  switch (e.type) {
    case 'StoredValueToppedUp':
      return { ...base, kind: 'top_up', paid: e.data.paid, bonus: e.data.bonus, method: e.data.method, by: e.data.by, lots: [] };
    case 'StoredValueSpent':
      return {
        ...base,
        kind: 'spend',
        paid: -e.data.paid,
        bonus: -e.data.bonus,
        booking_id: e.data.bookingId,
        payment_id: e.data.paymentId,
        by: e.data.by,
        lots: e.data.bonusFrom.map((p) => ({ topUpId: p.topUpId, delta: -p.amount })),
      };
    case 'StoredValueReturned':
      return {
        ...base,
        kind: 'return',
        paid: e.data.paid,
        bonus: e.data.bonus,
        booking_id: e.data.bookingId,
        payment_id: e.data.paymentId,
        lots: e.data.bonusTo.map((p) => ({ topUpId: p.topUpId, delta: p.amount })),
      };
    case 'StoredValueBonusExpired':
      return { ...base, kind: 'bonus_expired', paid: 0, bonus: -e.data.amount, lots: [{ topUpId: e.data.topUpId, delta: -e.data.amount }] };
    default: {
      const never: never = e;
      throw new Error(`stored value projection got ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Members' stored value: `rm.stored_value_accounts` (paid value left), `rm.stored_value_lots`
 * (bonus left per top-up, with its expiry), `rm.stored_value_movements` (the statement), and the
 * bonus tiers in force (`rm.stored_value_bonus_tiers`).
 */
export const storedValueProjection = defineProjection<StoredValueDatabase>({
  name: 'stored_value',
  version: 1,
  tables: ['stored_value_accounts', 'stored_value_lots', 'stored_value_movements', 'stored_value_bonus_tiers'],
  eventTypes: ['StoredValueToppedUp', 'StoredValueSpent', 'StoredValueReturned', 'StoredValueBonusExpired', 'StoredValueBonusRulesSet'],
  async setup(db) {
    await db.schema
      .createTable('stored_value_bonus_tiers')
      .addColumn('from_amount', 'bigint', (c) => c.primaryKey())
      .addColumn('bonus', 'bigint', (c) => c.notNull())
      .addColumn('valid_days', 'integer')
      .execute();
    await db.schema
      .createTable('stored_value_accounts')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('paid', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('stored_value_lots')
      .addColumn('top_up_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('bonus_left', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('stored_value_lots_by_user').on('stored_value_lots').column('user_id').execute();
    await db.schema
      .createTable('stored_value_movements')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      // Feed order, so a statement reads in the order the wallet decided.
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('paid', 'bigint', (c) => c.notNull())
      .addColumn('bonus', 'bigint', (c) => c.notNull())
      .addColumn('method', 'text')
      .addColumn('booking_id', 'text')
      .addColumn('payment_id', 'text')
      .addColumn('by', 'text')
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('stored_value_movements_by_user').on('stored_value_movements').columns(['user_id', 'seq']).execute();
  },
  async apply(trx: Kysely<StoredValueDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as WalletEvent | BonusRulesEvent;
      if (event.type === 'StoredValueBonusRulesSet') {
        await trx.deleteFrom('stored_value_bonus_tiers').execute();
        if (event.data.tiers.length > 0)
          await trx
            .insertInto('stored_value_bonus_tiers')
            .values(event.data.tiers.map((t) => ({ from_amount: t.from, bonus: t.bonus, valid_days: t.validDays })))
            .execute();
        continue;
      }
      const e = event;
      const { lots, ...m } = movementOf(e);
      const inserted = await trx
        .insertInto('stored_value_movements')
        .values({ ...m, event_id: recorded.id, seq: Number(recorded.globalPosition), at: new Date(e.data.at) })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!inserted) continue;
      await trx
        .insertInto('stored_value_accounts')
        .values({ user_id: m.user_id, paid: m.paid, updated_at: new Date(e.data.at) })
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({ paid: sql`stored_value_accounts.paid + excluded.paid`, updated_at: sql`excluded.updated_at` }),
        )
        .execute();
      if (e.type === 'StoredValueToppedUp' && e.data.bonus > 0)
        await trx
          .insertInto('stored_value_lots')
          .values({
            top_up_id: e.data.topUpId,
            user_id: m.user_id,
            bonus_left: e.data.bonus,
            expires_at: e.data.bonusExpiresAt ? new Date(e.data.bonusExpiresAt) : null,
          })
          .execute();
      for (const l of lots)
        await trx
          .updateTable('stored_value_lots')
          .set({ bonus_left: sql`bonus_left + ${l.delta}` })
          .where('top_up_id', '=', l.topUpId)
          .execute();
    }
  },
});
