import type { Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { AdjustmentApproval, AdjustmentKind, BookingEvent } from '../src/events/bookings.js';
import type { AdjustmentRequestEvent } from '../src/events/adjustments.js';

/** Every correction of a bill and every request for one, with who asked and who decided: `rm.bill_adjustments`. */
export interface BillAdjustmentsTable {
  /** The adjustment's id; an approved request's adjustment has the request's id. */
  id: string;
  booking_id: string;
  kind: AdjustmentKind;
  /** Fen taken off; null while a request for a percent or a comp waits (its amount is decided when approved). */
  amount: number | null;
  percent: number | null;
  reason: string;
  status: 'pending' | 'applied' | 'declined';
  /** How it was approved once applied: by a manager, by a waiter within the venue's limit, or a manager approving a request. */
  approval: AdjustmentApproval | null;
  requested_by: string;
  /** The manager who approved it, or the waiter within their limit; the manager who declined a request. */
  decided_by: string | null;
  decline_reason: string | null;
  requested_at: Date;
  decided_at: Date | null;
}

export type AdjustmentsDatabase = { bill_adjustments: BillAdjustmentsTable };

// An approval needs nothing here: the bill's own BillAdjusted (with the request's id) applies it.
type Handled = Extract<BookingEvent, { type: 'BillAdjusted' }> | Exclude<AdjustmentRequestEvent, { type: 'AdjustmentRequestApproved' }>;

export const adjustmentsProjection = defineProjection<AdjustmentsDatabase>({
  name: 'adjustments',
  version: 1,
  tables: ['bill_adjustments'],
  eventTypes: ['BillAdjusted', 'AdjustmentRequested', 'AdjustmentRequestDeclined'],
  async setup(db) {
    await db.schema
      .createTable('bill_adjustments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('booking_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint')
      .addColumn('percent', 'integer')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('approval', 'text')
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decline_reason', 'text')
      .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
      .addColumn('decided_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('bill_adjustments_by_booking').on('bill_adjustments').columns(['booking_id', 'requested_at']).execute();
  },
  async apply(trx: Kysely<AdjustmentsDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as Handled;
      const at = new Date(e.data.at);
      switch (e.type) {
        case 'AdjustmentRequested': {
          const d = e.data;
          await trx
            .insertInto('bill_adjustments')
            .values({
              id: d.requestId,
              booking_id: d.bookingId,
              kind: d.kind,
              amount: d.amount,
              percent: d.percent,
              reason: d.reason,
              status: 'pending',
              approval: null,
              requested_by: d.requestedBy,
              decided_by: null,
              decline_reason: null,
              requested_at: at,
              decided_at: null,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        }
        case 'BillAdjusted': {
          const d = e.data;
          const applied = {
            amount: d.amount,
            status: 'applied' as const,
            approval: d.approval ?? 'manager',
            decided_by: d.approvedBy,
            decided_at: at,
          };
          await trx
            .insertInto('bill_adjustments')
            .values({
              id: d.adjustmentId,
              booking_id: d.bookingId,
              kind: d.kind,
              percent: d.percent,
              reason: d.reason,
              requested_by: d.requestedBy,
              decline_reason: null,
              requested_at: at,
              ...applied,
            })
            .onConflict((oc) => oc.column('id').doUpdateSet(applied))
            .execute();
          break;
        }
        case 'AdjustmentRequestDeclined':
          await trx
            .updateTable('bill_adjustments')
            .set({ status: 'declined', decided_by: e.data.declinedBy, decline_reason: e.data.reason, decided_at: at })
            .where('id', '=', e.data.requestId)
            .execute();
          break;
        default: {
          const never: never = e;
          throw new Error(`adjustments projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});
