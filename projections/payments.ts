import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import { InsertBuffer } from '../src/projections/insert-buffer.js';
import type { BookingEvent } from '../src/events/bookings.js';
import type { PaymentEvent } from '../src/events/payments.js';

export interface PaymentsTable {
  payment_id: string;
  booking_id: string;
  guest_id: string | null;
  purpose: string;
  method: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'closed';
  transaction_id: string | null;
  paid_at: Date | null;
  /** Cash handed over at the desk for this payment and the change given back (null when not entered). */
  tendered: number | null;
  change: number | null;
  refunded: number;
  started_at: Date;
  updated_at: Date;
}
/** Whose booking it is, so a payment row can name the guest (payment events carry only the booking). */
interface PaymentBookingsTable {
  booking_id: string;
  guest_id: string | null;
}
export type PaymentsDatabase = { payments: PaymentsTable; payment_bookings: PaymentBookingsTable };

type Handled = Extract<BookingEvent, { type: 'BookingHeld' }> | PaymentEvent;

/**
 * `rm.payments`: every payment of a booking with its state and what was given
 * back (and, for cash at the desk, what was tendered and the change), for the
 * desk, the guest's receipts, reconciliation against provider bills and the
 * payment timeout sweep.
 */
export const paymentsProjection = defineProjection<PaymentsDatabase>({
  name: 'payments',
  version: 2,
  tables: ['payments'],
  eventTypes: ['BookingHeld', 'PaymentStarted', 'PaymentSucceeded', 'PaymentClosed', 'RefundSucceeded'],
  async setup(db) {
    await db.schema
      .createTable('payments')
      .addColumn('payment_id', 'text', (c) => c.primaryKey())
      .addColumn('booking_id', 'text', (c) => c.notNull())
      .addColumn('guest_id', 'text')
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('transaction_id', 'text')
      .addColumn('paid_at', 'timestamptz')
      .addColumn('tendered', 'bigint')
      .addColumn('change', 'bigint')
      .addColumn('refunded', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('payments_by_booking').on('payments').column('booking_id').execute();
    await db.schema.createIndex('payments_pending').on('payments').columns(['status', 'started_at']).execute();
    await db.schema
      .createTable('payment_bookings')
      .addColumn('booking_id', 'text', (c) => c.primaryKey())
      .addColumn('guest_id', 'text')
      .execute();
  },
  async apply(trx, events) {
    const inserts = new InsertBuffer(trx, { payment_bookings: { key: ['booking_id'] } });
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as Handled;
      if (e.type === 'BookingHeld') {
        inserts.add('payment_bookings', { booking_id: e.data.bookingId, guest_id: e.data.guestId });
      } else {
        // A payment may read the bookings added so far: they go in first.
        await inserts.flush();
        await applyPayment(trx, e, recorded.createdAt);
      }
    }
    await inserts.flush();
  },
});

async function applyPayment(trx: Kysely<PaymentsDatabase>, e: PaymentEvent, at: Date): Promise<void> {
  switch (e.type) {
    case 'PaymentStarted': {
      const booking = await trx
        .selectFrom('payment_bookings')
        .select('guest_id')
        .where('booking_id', '=', e.data.bookingId)
        .executeTakeFirst();
      await trx
        .insertInto('payments')
        .values({
          payment_id: e.data.paymentId,
          booking_id: e.data.bookingId,
          guest_id: booking?.guest_id ?? null,
          purpose: e.data.purpose,
          method: e.data.method,
          amount: e.data.amount,
          status: 'pending',
          transaction_id: null,
          paid_at: null,
          tendered: null,
          change: null,
          refunded: 0,
          started_at: new Date(e.data.at),
          updated_at: at,
        })
        .onConflict((oc) => oc.column('payment_id').doNothing())
        .execute();
      break;
    }
    case 'PaymentSucceeded':
      await trx
        .updateTable('payments')
        .set({
          status: 'succeeded',
          transaction_id: e.data.transactionId,
          paid_at: new Date(e.data.paidAt),
          tendered: e.data.tendered ?? null,
          change: e.data.change ?? null,
          updated_at: at,
        })
        .where('payment_id', '=', e.data.paymentId)
        .execute();
      break;
    case 'PaymentClosed':
      await trx
        .updateTable('payments')
        .set({ status: 'closed', updated_at: at })
        .where('payment_id', '=', e.data.paymentId)
        .where('status', '=', 'pending')
        .execute();
      break;
    case 'RefundSucceeded':
      await trx
        .updateTable('payments')
        .set({ refunded: sql<number>`refunded + ${e.data.amount}`, updated_at: at })
        .where('payment_id', '=', e.data.paymentId)
        .execute();
      break;
    case 'RefundAuthorised':
    case 'RefundRequested':
    case 'RefundFailed':
      break;
    default: {
      const never: never = e;
      throw new Error(`payments projection got ${JSON.stringify(never)}`);
    }
  }
}
