import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { bookingsProjection, type BookingsDatabase } from '../../projections/bookings.js';
import { paymentsProjection, type PaymentsDatabase } from '../../projections/payments.js';
import { ledgerProjection, type LedgerDatabase } from '../../projections/ledger/journal.js';
import type { Projection } from '../../src/projections/projection.js';
import type { PlatformDatabase } from '../../src/db/schema.js';
import { createPool } from '../../src/db/pool.js';
import { ProjectionSpecification, type GivenEvent, type Scenario } from '../helpers/projection-spec.js';
import { testDatabase } from '../helpers/database.js';
import {
  cancelled,
  checkedIn,
  checkedOut,
  confirmed,
  expired,
  held,
  local,
  moved,
  noShow,
  paymentStarted,
  paymentSucceeded,
  refundRequested,
  refundSucceeded,
  reserved,
  timeConfirmed,
  timeEnded,
  timeReleased,
  walkIn,
} from './fixtures.js';

/**
 * Bookings, payments and the ledger write the rows that new bookings and their room time add as
 * one statement per table and batch. Applied in one batch, an evening's events must leave exactly
 * the rows they leave applied one batch each; and holds must cost statements per batch, not per hold.
 */

const bk2 = { bookingId: 'bk-2', roomId: 'room-s02', guestId: 'user-guest-2' };
const bk3 = { bookingId: 'bk-3', roomId: 'room-s03' };
const evening: readonly GivenEvent[] = [
  held(),
  reserved(),
  held({ ...bk2 }),
  reserved({ ...bk2 }),
  held({ guestName: 'a BookingHeld of bk-1 again: the first one stands' }),
  reserved({ start: local('21:00'), at: local('19:01') }),
  paymentStarted('pay-1', 8820),
  paymentSucceeded('pay-1', 8820),
  confirmed(8820),
  timeConfirmed(),
  paymentStarted('pay-2', 8820, { bookingId: 'bk-2' }),
  paymentSucceeded('pay-2', 8820, { bookingId: 'bk-2' }),
  confirmed(8820, '19:06', 'bk-2'),
  walkIn(),
  reserved({ bookingId: 'bk-walk-in', roomId: 'room-m01', kind: 'walk_in', holdExpiresAt: null, at: local('21:00') }),
  held({ ...bk3 }),
  reserved({ ...bk3 }),
  held({ bookingId: 'bk-4', roomId: 'room-s04' }),
  reserved({ bookingId: 'bk-4', roomId: 'room-s04' }),
  expired('19:16', 'bk-3'),
  timeReleased('expired', 'room-s03', '19:16', 'bk-3'),
  cancelled(0, '19:30', 'bk-2'),
  timeReleased('cancelled', 'room-s02', '19:30', 'bk-2'),
  refundRequested('pay-2', 'rf-2', 4410, '19:31', 'bk-2'),
  refundSucceeded('pay-2', 'rf-2', 4410, { bookingId: 'bk-2', hhmm: '19:41' }),
  // bk-1 moves to L01 and back: its released row in S01 is taken again.
  reserved({ roomId: 'room-l01', holdExpiresAt: null, at: local('19:40') }),
  moved('room-s01', 'room-l01', 'large', 64680, 29400, '19:40'),
  timeReleased('moved', 'room-s01', '19:40'),
  reserved({ roomId: 'room-s01', holdExpiresAt: null, at: local('19:45') }),
  held({ bookingId: 'bk-5', roomId: 'room-s05' }),
  moved('room-l01', 'room-s01', 'small', 29400, 64680, '19:45'),
  timeReleased('moved', 'room-l01', '19:45'),
  checkedIn('19:55'),
  noShow(0, '20:31', 'bk-4'),
  timeEnded(local('23:30')),
  checkedOut(29400, 8820, local('23:30')),
];

/** Every row of the tables, each in a stable order; ledger entries named by the index of the event that posted them. */
type Snapshot<DB> = (db: Kysely<DB>, eventIndex: (id: string) => number) => Promise<Record<string, unknown>>;

const bookingsRows: Snapshot<BookingsDatabase> = async (db) => ({
  bookings: await db.selectFrom('bookings').selectAll().orderBy('booking_id').execute(),
  room_reservations: await db.selectFrom('room_reservations').selectAll().orderBy('booking_id').orderBy('room_id').execute(),
});
const paymentsRows: Snapshot<PaymentsDatabase> = async (db) => ({
  payments: await db.selectFrom('payments').selectAll().orderBy('payment_id').execute(),
  payment_bookings: await db.selectFrom('payment_bookings').selectAll().orderBy('booking_id').execute(),
});
const ledgerRows: Snapshot<LedgerDatabase> = async (db, eventIndex) => ({
  ledger_bookings: await db.selectFrom('ledger_bookings').selectAll().orderBy('booking_id').execute(),
  ledger_refunds: await db.selectFrom('ledger_refunds').selectAll().orderBy('refund_id').execute(),
  journal_entries: (await db.selectFrom('journal_entries').selectAll().execute())
    .map((e) => ({ ...e, entry_id: eventIndex(e.entry_id) }))
    .sort((a, b) => a.entry_id - b.entry_id),
  journal_lines: (await db.selectFrom('journal_lines').selectAll().execute())
    .map((l) => ({ ...l, entry_id: eventIndex(l.entry_id) }))
    .sort((a, b) => a.entry_id - b.entry_id || a.line_no - b.line_no),
});

async function sameAsOneBatchEach<DB>(t: Test, projection: Projection, snapshot: Snapshot<DB>) {
  const spec = ProjectionSpecification.for<DB>(t, projection);
  const together = spec(t).given(evening);
  const [first, ...rest] = evening;
  const alone = rest.reduce((s: Scenario<DB>, e) => s.when([e]), spec(t).given(first ? [first] : []));
  const rows = (s: Scenario<DB>) => s.query((db) => snapshot(db, (id) => s.recorded.findIndex((e) => e.id === id)));
  const [inOne, eachAlone] = [await rows(together), await rows(alone)];
  t.ok(
    Object.values(eachAlone).every((table) => Array.isArray(table) && table.length > 0),
    'the evening leaves rows in every table',
  );
  t.strictSame(inOne, eachAlone, 'one batch leaves the rows that one batch per event leaves');
}

t.test('bookings: an evening in one batch leaves the rows it leaves one event per batch', (t) =>
  sameAsOneBatchEach(t, bookingsProjection, bookingsRows),
);
t.test('payments: an evening in one batch leaves the rows it leaves one event per batch', (t) =>
  sameAsOneBatchEach(t, paymentsProjection, paymentsRows),
);
t.test('ledger: an evening in one batch leaves the rows it leaves one event per batch', (t) =>
  sameAsOneBatchEach(t, ledgerProjection, ledgerRows),
);

t.test('holds in one batch cost the same statements however many there are', async (t) => {
  let statements = 0;
  const pool = createPool(await testDatabase(t), 2);
  const db = new Kysely<PlatformDatabase>({ dialect: new PostgresDialect({ pool }), log: () => void statements++ });
  t.teardown(() => db.destroy());
  const holds = (n: number) =>
    ProjectionSpecification.for(
      t,
      bookingsProjection,
    )(t).given(Array.from({ length: n }, (_, i) => [held({ bookingId: `bk-${i}` }), reserved({ bookingId: `bk-${i}` })]).flat()).recorded;
  const sent = async (projection: Projection, n: number) => {
    const schema = `holds_${randomBytes(4).toString('hex')}`;
    await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(db);
    await projection.setup(db.withSchema(schema), schema);
    const events = holds(n).filter((e) => projection.eventTypes.includes(e.type));
    const before = statements;
    await db.transaction().execute((trx) => projection.apply(trx.withSchema(schema), events));
    return statements - before;
  };
  for (const projection of [bookingsProjection, paymentsProjection, ledgerProjection]) {
    const [few, many] = [await sent(projection, 3), await sent(projection, 300)];
    t.equal(many, few, `${projection.name}: ${few} statements for 3 holds, ${many} for 300`);
  }
});
