import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { ByMethod, DeskMovementKind, TillEvent } from '../src/events/shifts.js';
import type { PaymentEvent } from '../src/events/payments.js';
import type { WalletEvent } from '../src/events/wallets.js';

export interface ShiftsTable {
  shift_id: string;
  staff_id: string;
  opened_at: Date;
  opening_cash: number;
  taken_over_from: string | null;
  closed_at: Date | null;
  /** `{byMethod, refunds}` as the close recorded them. */
  totals: { byMethod: ByMethod; refunds: ByMethod } | null;
  expected_cash: number | null;
  counted_cash: number | null;
  difference: number | null;
  reason: string | null;
  handed_over_cash: number | null;
}
/** Every movement of money at the desk; `shift_id` null for money taken with no shift open. */
export interface DeskMovementsTable {
  movement_id: string;
  staff_id: string;
  shift_id: string | null;
  kind: string;
  method: string;
  amount: number;
  booking_id: string | null;
  member_id: string | null;
  at: Date;
}
/**
 * Money a staff member handled at the desk, as the payment or wallet stream records it, that no till
 * records yet: a crash fell between the two appends (stores without atomic multi-stream appends).
 * The repair sweep reads it; the row goes when the till records the movement.
 */
export interface DeskUnrecordedTable {
  movement_id: string;
  staff_id: string;
  kind: DeskMovementKind;
  /** What moved the money: the payment (of a payment or refund), or the member whose wallet was topped up. */
  source_id: string;
  at: Date;
}
export type ShiftsDatabase = { shifts: ShiftsTable; desk_movements: DeskMovementsTable; desk_unrecorded: DeskUnrecordedTable };

type Handled =
  | TillEvent
  | Extract<PaymentEvent, { type: 'PaymentSucceeded' | 'RefundSucceeded' }>
  | Extract<WalletEvent, { type: 'StoredValueToppedUp' }>;

/**
 * Cashier shifts (`rm.shifts`), the money handled at the desk (`rm.desk_movements`), and desk money
 * no till has recorded yet (`rm.desk_unrecorded`).
 */
export const shiftsProjection = defineProjection<ShiftsDatabase>({
  name: 'shifts',
  version: 2,
  tables: ['shifts', 'desk_movements', 'desk_unrecorded'],
  eventTypes: ['ShiftOpened', 'DeskMoneyRecorded', 'ShiftClosed', 'PaymentSucceeded', 'RefundSucceeded', 'StoredValueToppedUp'],
  async setup(db) {
    await db.schema
      .createTable('shifts')
      .addColumn('shift_id', 'text', (c) => c.primaryKey())
      .addColumn('staff_id', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
      .addColumn('opening_cash', 'bigint', (c) => c.notNull())
      .addColumn('taken_over_from', 'text')
      .addColumn('closed_at', 'timestamptz')
      .addColumn('totals', 'jsonb')
      .addColumn('expected_cash', 'bigint')
      .addColumn('counted_cash', 'bigint')
      .addColumn('difference', 'bigint')
      .addColumn('reason', 'text')
      .addColumn('handed_over_cash', 'bigint')
      .execute();
    await db.schema.createIndex('shifts_by_close').on('shifts').column('closed_at').execute();
    await db.schema
      .createTable('desk_movements')
      .addColumn('movement_id', 'text', (c) => c.primaryKey())
      .addColumn('staff_id', 'text', (c) => c.notNull())
      .addColumn('shift_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('booking_id', 'text')
      .addColumn('member_id', 'text')
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('desk_movements_by_time').on('desk_movements').column('at').execute();
    await db.schema
      .createTable('desk_unrecorded')
      .addColumn('movement_id', 'text', (c) => c.primaryKey())
      .addColumn('staff_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .execute();
  },
  async apply(trx: Kysely<ShiftsDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as Handled;
      switch (e.type) {
        case 'PaymentSucceeded':
          if (e.data.desk && e.data.amount > 0)
            await unrecorded(trx, {
              movement_id: e.data.paymentId,
              staff_id: e.data.desk,
              kind: 'payment',
              source_id: e.data.paymentId,
              at: new Date(e.data.at),
            });
          break;
        case 'RefundSucceeded':
          if (e.data.desk && e.data.amount > 0)
            await unrecorded(trx, {
              movement_id: e.data.refundId,
              staff_id: e.data.desk,
              kind: 'refund',
              source_id: e.data.paymentId,
              at: new Date(e.data.at),
            });
          break;
        case 'StoredValueToppedUp':
          if (e.data.paid > 0)
            await unrecorded(trx, {
              movement_id: e.data.topUpId,
              staff_id: e.data.by,
              kind: 'top_up',
              source_id: e.data.userId,
              at: new Date(e.data.at),
            });
          break;
        case 'ShiftOpened':
          await trx
            .insertInto('shifts')
            .values({
              shift_id: e.data.shiftId,
              staff_id: e.data.staffId,
              opened_at: new Date(e.data.at),
              opening_cash: e.data.openingCash,
              taken_over_from: e.data.takenOverFrom,
              closed_at: null,
              totals: null,
              expected_cash: null,
              counted_cash: null,
              difference: null,
              reason: null,
              handed_over_cash: null,
            })
            .onConflict((oc) => oc.column('shift_id').doNothing())
            .execute();
          break;
        case 'DeskMoneyRecorded': {
          const d = e.data;
          await trx
            .insertInto('desk_movements')
            .values({
              movement_id: d.movementId,
              staff_id: d.staffId,
              shift_id: d.shiftId,
              kind: d.kind,
              method: d.method,
              amount: d.amount,
              booking_id: d.bookingId,
              member_id: d.memberId,
              at: new Date(d.at),
            })
            .onConflict((oc) => oc.column('movement_id').doNothing())
            .execute();
          await trx.deleteFrom('desk_unrecorded').where('movement_id', '=', d.movementId).execute();
          break;
        }
        case 'ShiftClosed': {
          const d = e.data;
          await trx
            .updateTable('shifts')
            .set({
              closed_at: new Date(d.at),
              totals: sql`${JSON.stringify({ byMethod: d.byMethod, refunds: d.refunds })}::jsonb` as never,
              expected_cash: d.expectedCash,
              counted_cash: d.countedCash,
              difference: d.difference,
              reason: d.reason,
              handed_over_cash: d.handedOverCash,
            })
            .where('shift_id', '=', d.shiftId)
            .execute();
          break;
        }
        default: {
          const never: never = e;
          throw new Error(`shifts projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});

/** The money's own event and its till record may come in either order: only money the till has not recorded is kept. */
async function unrecorded(trx: Kysely<ShiftsDatabase>, row: DeskUnrecordedTable): Promise<void> {
  const recorded = await trx
    .selectFrom('desk_movements')
    .select('movement_id')
    .where('movement_id', '=', row.movement_id)
    .executeTakeFirst();
  if (recorded) return;
  await trx
    .insertInto('desk_unrecorded')
    .values(row)
    .onConflict((oc) => oc.column('movement_id').doNothing())
    .execute();
}
