import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { BookingEvent, RoomDayEvent } from '../src/events/bookings.js';
import type { PaymentEvent } from '../src/events/payments.js';

export interface DeskActionsTable {
  event_id: string;
  /** The event's place in the global feed: the order things happened in. */
  position: string;
  type: string;
  /** Who did it: the signed-in user of the request that recorded the event (`system` for jobs and callbacks). */
  actor: string;
  /** For corrections, the manager who approved them; else null. */
  approved_by: string | null;
  booking_id: string | null;
  room_id: string | null;
  /** The money the action moved, in fen (an order's total, a payment, a refund, a bill); null for none. */
  amount: number | null;
  detail: unknown;
  at: Date;
}

export type DeskAuditDatabase = { desk_actions: DeskActionsTable };

type Handled = Extract<BookingEvent | RoomDayEvent | PaymentEvent, { type: (typeof DESK_ACTIONS)[number] }>;

/** What staff do at the desk and on the floor, and the money that goes with it. */
const DESK_ACTIONS = [
  'WalkInStarted',
  'BookingConfirmed',
  'BookingCheckedIn',
  'BookingExtended',
  'BookingMoved',
  'BookingCheckedOut',
  'BookingCancelled',
  'BookingMarkedNoShow',
  'OrderPlaced',
  'OrderLineVoided',
  'BillAdjusted',
  'RoomCleaned',
  'PaymentStarted',
  'PaymentSucceeded',
  'RefundRequested',
  'RefundSucceeded',
] as const;

/** The row's money and approver, by event: the few facts a reader of the trail filters and sums on. */
function facts(e: Handled): { amount: number | null; approvedBy: string | null; roomId: string | null } {
  const none = { amount: null, approvedBy: null, roomId: null };
  switch (e.type) {
    case 'WalkInStarted':
      return { ...none, amount: e.data.price.total, roomId: e.data.roomId };
    case 'BookingConfirmed':
      return { ...none, amount: e.data.amountPaid };
    case 'BookingExtended':
      return { ...none, amount: e.data.price.total };
    case 'BookingMoved':
      return { ...none, amount: e.data.priceDifference, roomId: e.data.toRoomId };
    case 'BookingCheckedOut':
      return { ...none, amount: e.data.bill.total };
    case 'BookingCancelled':
      return { ...none, amount: e.data.refund };
    case 'BookingMarkedNoShow':
      return { ...none, amount: e.data.forfeited };
    case 'OrderPlaced':
      return { ...none, amount: e.data.total };
    case 'OrderLineVoided':
    case 'PaymentStarted':
    case 'PaymentSucceeded':
    case 'RefundRequested':
    case 'RefundSucceeded':
      return { ...none, amount: e.data.amount };
    case 'BillAdjusted':
      return { ...none, amount: e.data.amount, approvedBy: e.data.approvedBy };
    case 'RoomCleaned':
      return { ...none, roomId: e.data.roomId };
    case 'BookingCheckedIn':
      return none;
    default: {
      const never: never = e;
      throw new Error(`desk audit got ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The desk's audit trail (`rm.desk_actions`): one row per check-in, check-out,
 * order, void, correction, payment and refund, naming who did it from the
 * event's metadata (the request's signed-in user), so it needs nothing of the
 * commands but what they already record.
 */
export const deskAuditProjection = defineProjection<DeskAuditDatabase>({
  name: 'desk_audit',
  version: 1,
  tables: ['desk_actions'],
  eventTypes: DESK_ACTIONS,
  async setup(db) {
    await db.schema
      .createTable('desk_actions')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('approved_by', 'text')
      .addColumn('booking_id', 'text')
      .addColumn('room_id', 'text')
      .addColumn('amount', 'bigint')
      .addColumn('detail', 'jsonb', (c) => c.notNull())
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('desk_actions_by_time').on('desk_actions').column('at').execute();
    await db.schema.createIndex('desk_actions_by_actor').on('desk_actions').columns(['actor', 'at']).execute();
    await db.schema.createIndex('desk_actions_by_booking').on('desk_actions').columns(['booking_id', 'at']).execute();
  },
  async apply(trx: Kysely<DeskAuditDatabase>, events: readonly RecordedEvent[]) {
    if (events.length === 0) return;
    // One statement per batch: a rebuild reads the whole history of these streams.
    const rows = events.map((recorded) => {
      const e = { type: recorded.type, data: recorded.data } as Handled;
      const { amount, approvedBy, roomId } = facts(e);
      const data = e.data as Readonly<{ bookingId?: string; by?: string; at: string }>;
      return {
        event_id: recorded.id,
        position: recorded.globalPosition.toString(),
        type: e.type,
        actor: recorded.metadata.actor ?? data.by ?? 'system',
        approved_by: approvedBy,
        booking_id: data.bookingId ?? null,
        room_id: roomId,
        amount,
        detail: sql`${JSON.stringify(e.data)}::jsonb`,
        at: new Date(data.at),
      };
    });
    await trx
      .insertInto('desk_actions')
      .values(rows)
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
  },
});
