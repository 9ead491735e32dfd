import { busyUntil } from '../domain/rooms/occupancy.js';
import { sql, type ExpressionBuilder, type Insertable, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import { InsertBuffer } from '../src/projections/insert-buffer.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { BookingEvent, RoomDayEvent } from '../src/events/bookings.js';
import type { PaymentEvent } from '../src/events/payments.js';
import { staleAvailability } from '../src/infra/answer-cache.js';

export interface BookingsTable {
  booking_id: string;
  room_id: string;
  room_type_id: string;
  guest_id: string | null;
  guest_name: string | null;
  guest_phone: string | null;
  booked_by: string;
  party_size: number;
  start_at: Date;
  end_at: Date;
  business_date: string;
  status: 'held' | 'confirmed' | 'checked_in' | 'checked_out' | 'cancelled' | 'expired' | 'no_show';
  walk_in: boolean;
  /** A walk-in with open timing: `end_at` is the latest it could stay, the bill prices the time used. */
  open_timing: boolean;
  hold_expires_at: Date | null;
  price_total: number;
  deposit: number;
  rate_card_version: number;
  price: unknown;
  /** The room price in force (changes with a move). */
  base_price: number;
  /** Extensions added to the bill. */
  extra_total: number;
  /** Products ordered, voided lines deducted. */
  products_total: number;
  /** Discounts, comps and round-offs taken off the bill. */
  adjustments_total: number;
  amount_paid: number;
  refund: number;
  bill: unknown;
  /** When the party checked out (the end of the time used); null before. */
  checked_out_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface RoomReservationsTable {
  booking_id: string;
  room_id: string;
  business_date: string;
  start_at: Date;
  end_at: Date;
  /** End plus the cleaning buffer: the room is busy until then. */
  busy_until: Date;
  buffer_minutes: number;
  kind: string;
  status: 'live' | 'ended' | 'released';
  /** Set while the reservation is an unconfirmed hold; it stops counting at this time. */
  hold_expires_at: Date | null;
  updated_at: Date;
}

export type BookingsDatabase = { bookings: BookingsTable; room_reservations: RoomReservationsTable };

type RefundRequested = Extract<PaymentEvent, { type: 'RefundRequested' }>;
type Handled = BookingEvent | RoomDayEvent | RefundRequested;
/** Events that only ever add a row: buffered and written together (see InsertBuffer). */
type Opened = Extract<BookingEvent, { type: 'BookingHeld' | 'WalkInStarted' }>;
type Reserved = Extract<RoomDayEvent, { type: 'RoomTimeReserved' }>;
type BookingChange = Exclude<BookingEvent, Opened>;
type RoomDayChange = Exclude<RoomDayEvent, Reserved>;

/**
 * Bookings (`rm.bookings`) and the room time they hold (`rm.room_reservations`,
 * one row per booking and room, so a moved booking leaves a released row behind).
 */
export const bookingsProjection = defineProjection<BookingsDatabase>({
  name: 'bookings',
  // 2: a booking moved back to a room it left holds it again (version 1 left that row released).
  // 3: a checked-out booking's bill shows what was refunded of what was paid beyond it; products ordered; adjustments.
  // 4: open timing and the check-out time.
  version: 4,
  tables: ['bookings', 'room_reservations', 'occupancy_hourly'],
  eventTypes: [
    'BookingHeld',
    'WalkInStarted',
    'BookingConfirmed',
    'DepositPartPaid',
    'BookingCancelled',
    'BookingExpired',
    'BookingCheckedIn',
    'BookingExtended',
    'BookingMoved',
    'BookingCheckedOut',
    'BookingMarkedNoShow',
    'OrderPlaced',
    'OrderLineVoided',
    'BillAdjusted',
    'RefundRequested',
    'RoomTimeReserved',
    'RoomTimeConfirmed',
    'RoomTimeExtended',
    'RoomTimeEnded',
    'RoomTimeReleased',
    'RoomCleaned',
  ],
  async setup(db, schemaName) {
    await db.schema
      .createTable('bookings')
      .addColumn('booking_id', 'text', (c) => c.primaryKey())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('room_type_id', 'text', (c) => c.notNull())
      .addColumn('guest_id', 'text')
      .addColumn('guest_name', 'text')
      .addColumn('guest_phone', 'text')
      .addColumn('booked_by', 'text', (c) => c.notNull())
      .addColumn('party_size', 'integer', (c) => c.notNull())
      .addColumn('start_at', 'timestamptz', (c) => c.notNull())
      .addColumn('end_at', 'timestamptz', (c) => c.notNull())
      .addColumn('business_date', 'date', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('walk_in', 'boolean', (c) => c.notNull())
      .addColumn('open_timing', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('hold_expires_at', 'timestamptz')
      .addColumn('price_total', 'bigint', (c) => c.notNull())
      .addColumn('deposit', 'bigint', (c) => c.notNull())
      .addColumn('rate_card_version', 'integer', (c) => c.notNull())
      .addColumn('price', 'jsonb', (c) => c.notNull())
      .addColumn('base_price', 'bigint', (c) => c.notNull())
      .addColumn('extra_total', 'bigint', (c) => c.notNull())
      .addColumn('products_total', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('adjustments_total', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('amount_paid', 'bigint', (c) => c.notNull())
      .addColumn('refund', 'bigint', (c) => c.notNull())
      .addColumn('bill', 'jsonb')
      .addColumn('checked_out_at', 'timestamptz')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('bookings_by_day_room').on('bookings').columns(['business_date', 'room_id']).execute();
    await db.schema.createIndex('bookings_by_guest').on('bookings').columns(['guest_id', 'start_at']).execute();
    await db.schema.createIndex('bookings_held').on('bookings').columns(['status', 'hold_expires_at']).execute();
    await db.schema
      .createTable('room_reservations')
      .addColumn('booking_id', 'text', (c) => c.notNull())
      .addColumn('room_id', 'text', (c) => c.notNull())
      .addColumn('business_date', 'date', (c) => c.notNull())
      .addColumn('start_at', 'timestamptz', (c) => c.notNull())
      .addColumn('end_at', 'timestamptz', (c) => c.notNull())
      .addColumn('busy_until', 'timestamptz', (c) => c.notNull())
      .addColumn('buffer_minutes', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('hold_expires_at', 'timestamptz')
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('room_reservations_pk', ['booking_id', 'room_id'])
      .execute();
    await db.schema
      .createIndex('room_reservations_by_room_time')
      .on('room_reservations')
      .columns(['room_id', 'start_at', 'busy_until'])
      .execute();
    await db.schema.createIndex('room_reservations_by_day').on('room_reservations').columns(['business_date', 'room_id']).execute();
    // For analysts: minutes each room was taken by confirmed stays, per clock hour (cleaning not counted).
    await sql`
      CREATE VIEW ${sql.id(schemaName, 'occupancy_hourly')} AS
      SELECT r.room_id, r.business_date, h.hour_start,
             sum(extract(epoch FROM least(r.end_at, h.hour_start + interval '1 hour') - greatest(r.start_at, h.hour_start)) / 60)::int AS occupied_minutes
      FROM ${sql.id(schemaName, 'room_reservations')} r
      CROSS JOIN LATERAL generate_series(date_trunc('hour', r.start_at), r.end_at - interval '1 second', interval '1 hour') AS h(hour_start)
      WHERE r.status <> 'released' AND r.hold_expires_at IS NULL
      GROUP BY r.room_id, r.business_date, h.hour_start`.execute(db);
  },
  async apply(trx: Kysely<BookingsDatabase>, events: readonly RecordedEvent[]) {
    const changedDays = new Set<string>();
    const inserts = new InsertBuffer(trx, {
      bookings: { key: ['booking_id'] },
      // A booking moved back to a room it left reserves it again over its released row.
      room_reservations: { key: ['booking_id', 'room_id'], replaceWhere: { status: 'released' } },
    });
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as Handled;
      const at = new Date(e.data.at);
      if (e.type === 'BookingHeld' || e.type === 'WalkInStarted') {
        inserts.add('bookings', newBooking(e, at));
      } else if (e.type === 'RoomTimeReserved') {
        inserts.add('room_reservations', newReservation(e, at));
        changedDays.add(e.data.businessDate);
      } else {
        // Any other event may read or change the rows added so far: they go in first.
        await inserts.flush();
        if (e.type.startsWith('RoomTime') || e.type === 'RoomCleaned') {
          await applyRoomDay(trx, e as RoomDayChange, at);
          changedDays.add((e as RoomDayChange).data.businessDate);
        } else if (e.type === 'RefundRequested') {
          await applyRefund(trx, e, at);
        } else {
          await applyBooking(trx, e as BookingChange, at);
        }
      }
    }
    await inserts.flush();
    await staleAvailability(trx, changedDays);
  },
});

function newReservation(e: Reserved, at: Date): Insertable<RoomReservationsTable> {
  const end = new Date(e.data.end);
  return {
    booking_id: e.data.bookingId,
    room_id: e.data.roomId,
    business_date: e.data.businessDate,
    start_at: new Date(e.data.start),
    end_at: end,
    busy_until: new Date(busyUntil({ end: end.getTime(), bufferMinutes: e.data.bufferMinutes })),
    buffer_minutes: e.data.bufferMinutes,
    kind: e.data.kind,
    status: 'live',
    hold_expires_at: e.data.holdExpiresAt ? new Date(e.data.holdExpiresAt) : null,
    updated_at: at,
  };
}

function newBooking(e: Opened, at: Date): Insertable<BookingsTable> {
  const d = e.data;
  return {
    booking_id: d.bookingId,
    room_id: d.roomId,
    room_type_id: d.roomTypeId,
    guest_id: e.type === 'BookingHeld' ? e.data.guestId : null,
    guest_name: d.guestName,
    guest_phone: d.guestPhone,
    booked_by: d.bookedBy,
    party_size: d.partySize,
    start_at: new Date(d.start),
    end_at: new Date(d.end),
    business_date: d.businessDate,
    status: e.type === 'BookingHeld' ? 'held' : 'checked_in',
    walk_in: e.type === 'WalkInStarted',
    open_timing: e.type === 'WalkInStarted' && e.data.openTiming === true,
    hold_expires_at: e.type === 'BookingHeld' ? new Date(e.data.holdExpiresAt) : null,
    price_total: d.price.total,
    deposit: d.price.deposit,
    rate_card_version: d.price.rateCardVersion,
    price: sql`${JSON.stringify(d.price)}::jsonb`,
    base_price: d.price.total,
    extra_total: 0,
    products_total: 0,
    adjustments_total: 0,
    amount_paid: 0,
    refund: 0,
    bill: null,
    checked_out_at: null,
    created_at: at,
    updated_at: at,
  };
}

async function applyRoomDay(trx: Kysely<BookingsDatabase>, e: RoomDayChange, at: Date): Promise<void> {
  const key = (eb: ExpressionBuilder<BookingsDatabase, 'room_reservations'>) =>
    eb.and([eb('booking_id', '=', e.data.bookingId), eb('room_id', '=', e.data.roomId)]);
  switch (e.type) {
    case 'RoomTimeConfirmed':
      await trx.updateTable('room_reservations').set({ hold_expires_at: null, updated_at: at }).where(key).execute();
      break;
    case 'RoomTimeExtended':
    case 'RoomTimeEnded':
      await trx
        .updateTable('room_reservations')
        .set({
          end_at: new Date(e.data.end),
          busy_until: sql`${new Date(e.data.end)}::timestamptz + make_interval(mins => buffer_minutes)`,
          ...(e.type === 'RoomTimeEnded' ? { status: 'ended' as const } : {}),
          updated_at: at,
        })
        .where(key)
        .execute();
      break;
    case 'RoomTimeReleased':
      await trx.updateTable('room_reservations').set({ status: 'released', updated_at: at }).where(key).execute();
      break;
    case 'RoomCleaned':
      // The buffer ends when the room was marked clean (the row stays `ended` for analysts).
      await trx
        .updateTable('room_reservations')
        .set({ busy_until: sql`least(busy_until, ${at}::timestamptz)`, updated_at: at })
        .where(key)
        .execute();
      break;
    default: {
      const never: never = e;
      throw new Error(`bookings projection got ${JSON.stringify(never)}`);
    }
  }
}

/** Refunds of a booking still open are told by its cancellation; after check-out they go back from what was paid beyond the bill. */
async function applyRefund(trx: Kysely<BookingsDatabase>, e: RefundRequested, at: Date): Promise<void> {
  await trx
    .updateTable('bookings')
    .set({ bill: sql`jsonb_set(bill, '{refund}', to_jsonb(coalesce((bill->>'refund')::bigint, 0) + ${e.data.amount}))`, updated_at: at })
    .where('booking_id', '=', e.data.bookingId)
    .where('status', '=', 'checked_out')
    .execute();
}

async function applyBooking(trx: Kysely<BookingsDatabase>, e: BookingChange, at: Date): Promise<void> {
  const update = (set: Record<string, unknown>) =>
    trx
      .updateTable('bookings')
      .set({ ...set, updated_at: at })
      .where('booking_id', '=', e.data.bookingId)
      .execute();
  switch (e.type) {
    case 'BookingConfirmed':
      await update({ status: 'confirmed', hold_expires_at: null, amount_paid: sql`amount_paid + ${e.data.amountPaid}` });
      return;
    case 'DepositPartPaid':
      await update({ amount_paid: sql`amount_paid + ${e.data.amount}` });
      return;
    case 'BookingCancelled':
      await update({ status: 'cancelled', refund: e.data.refund });
      return;
    case 'BookingExpired':
      await update({ status: 'expired' });
      return;
    case 'BookingCheckedIn':
      await update({ status: 'checked_in' });
      return;
    case 'BookingExtended':
      await update({ end_at: new Date(e.data.end), extra_total: sql`extra_total + ${e.data.price.total}` });
      return;
    case 'BookingMoved':
      await update({ room_id: e.data.toRoomId, room_type_id: e.data.toRoomTypeId, base_price: e.data.newTotal });
      return;
    case 'BookingCheckedOut':
      await update({
        status: 'checked_out',
        bill: sql`${JSON.stringify({ ...e.data.bill, refund: 0 })}::jsonb`,
        checked_out_at: new Date(e.data.at),
      });
      return;
    case 'BookingMarkedNoShow':
      await update({ status: 'no_show' });
      return;
    case 'OrderPlaced':
      await update({ products_total: sql`products_total + ${e.data.total}` });
      return;
    case 'OrderLineVoided':
      await update({ products_total: sql`products_total - ${e.data.amount}` });
      return;
    case 'BillAdjusted':
      await update({ adjustments_total: sql`adjustments_total + ${e.data.amount}` });
      return;
    default: {
      const never: never = e;
      throw new Error(`bookings projection got ${JSON.stringify(never)}`);
    }
  }
}
