import t from 'tap';
import { sql } from 'kysely';
import { ledgerProjection, type LedgerDatabase } from '../../../projections/ledger/journal.js';
import { DEFAULT_VENUE } from '../../../domain/venue/settings.js';
import type { VenueEvent, VenueSettings } from '../../../src/events/venue.js';
import { ProjectionSpecification } from '../../helpers/projection-spec.js';
import {
  BOOKING,
  BUSINESS_DATE,
  at,
  cancelled,
  checkedIn,
  checkedOut,
  confirmed,
  expired,
  extended,
  held,
  local,
  moved,
  noShow,
  paymentStarted,
  paymentSucceeded,
  price,
  refundRequested,
  refundSucceeded,
  walkIn,
} from '../fixtures.js';

/**
 * The double-entry journal (`rm.journal_entries`, `rm.journal_lines`) and
 * `rm.revenue_daily` over it. An entry is keyed by its event's id and dated by
 * the business day of the event's `at` in the venue's time zone, as configured
 * at that point of the feed (the default venue, Asia/Shanghai from 06:00, until
 * a VenueConfigured says otherwise). Lines carry the booking's room, room type
 * and member level at the time. Accounts: 1001 cash, 1003 card, 1012 WeChat Pay,
 * 1122 guests' receivables, 2203 customer deposits, 6001 room revenue, 6051
 * forfeits. The projection's own `ledger_bookings` keeps each booking's deposits
 * held and whether it was checked out.
 */
type RevenueDaily = {
  business_date: string;
  room_type_id: string | null;
  bookings: number;
  room_revenue: number | null;
  product_revenue: number | null;
  adjustments: number | null;
  forfeited_deposits: number | null;
  output_vat: number;
  revenue: number;
};
const spec = ProjectionSpecification.for<LedgerDatabase & { revenue_daily: RevenueDaily }>(t, ledgerProjection);

const venueConfigured = (settings: VenueSettings, when: string): VenueEvent => ({
  type: 'VenueConfigured',
  data: { settings, by: 'user-manager', at: when },
});
const london: VenueSettings = { ...DEFAULT_VENUE, timeZone: 'Europe/London' };
const fromMidnight: VenueSettings = { ...DEFAULT_VENUE, businessDayStartMinute: 0 };

/** Booking bk-1 held (regular member, room S01, small) and its 88.20 deposit paid by WeChat Pay at 19:04. */
const depositPaid = [held(), paymentStarted('pay-1', 8820), paymentSucceeded('pay-1', 8820), confirmed(8820)];
const attribution = { booking_id: BOOKING, room_id: 'room-s01', room_type_id: 'small', member_level: 'regular' };
const line = (line_no: number, account: string, debit: number, credit: number, business_date = BUSINESS_DATE) => ({
  line_no,
  account,
  debit,
  credit,
  business_date,
});

t.test('VenueConfigured keeps the settings for dating later entries, and posts nothing', async (t) => {
  const s = spec(t).given([venueConfigured(london, local('10:00'))]);
  await s.expectRows('ledger_venue', [{ id: 1, settings: london }]);
  await s.expectRows('journal_entries', []);
});

t.test('BookingHeld starts the booking’s balance with its room, room type and member level, and posts nothing', async (t) => {
  const s = spec(t).given([held({ price: price(26460, 8000, 'gold') })]);
  await s.expectRows('ledger_bookings', [
    { booking_id: BOOKING, room_id: 'room-s01', room_type_id: 'small', member_level: 'gold', deposits_held: 0, checked_out: false },
  ]);
  await s.expectRows('journal_entries', []);
  await s.expectRows('journal_lines', []);
});

t.test('WalkInStarted starts the walk-in’s balance like a hold, and posts nothing', async (t) => {
  const s = spec(t).given([walkIn()]);
  await s.expectRows('ledger_bookings', [
    {
      booking_id: 'bk-walk-in',
      room_id: 'room-m01',
      room_type_id: 'medium',
      member_level: 'regular',
      deposits_held: 0,
      checked_out: false,
    },
  ]);
  await s.expectRows('journal_entries', []);
});

t.test('PaymentSucceeded of a deposit debits WeChat Pay clearing and credits customer deposits, dated by its business day', async (t) => {
  const s = spec(t).given(depositPaid);
  await s.expectRows('journal_entries', [
    {
      entry_id: s.idOf(2),
      business_date: BUSINESS_DATE,
      booking_id: BOOKING,
      event_type: 'PaymentSucceeded',
      description: 'wechatpay deposit received',
      posted_at: at('19:04'),
    },
  ]);
  await s.expectRows('journal_lines', [
    { entry_id: s.idOf(2), ...line(1, '1012', 8820, 0), ...attribution },
    { entry_id: s.idOf(2), ...line(2, '2203', 0, 8820), ...attribution },
  ]);
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 8820, checked_out: false }]);
});

t.test('PaymentSucceeded after midnight but before 06:00 belongs to the business day before; from 06:00 to the next', async (t) => {
  const s = spec(t)
    .given([held()])
    .when([paymentSucceeded('pay-1', 1000, { hhmm: '05:59', next: true }), paymentSucceeded('pay-2', 2000, { hhmm: '06:00', next: true })]);
  await s.expectRows(
    'journal_entries',
    [
      { entry_id: s.idOf(1), business_date: '2026-03-13', posted_at: at('05:59', true) },
      { entry_id: s.idOf(2), business_date: '2026-03-14', posted_at: at('06:00', true) },
    ],
    { orderBy: 'posted_at' },
  );
  await s.expectRows(
    'journal_lines',
    [
      { entry_id: s.idOf(1), line_no: 1, business_date: '2026-03-13' },
      { entry_id: s.idOf(1), line_no: 2, business_date: '2026-03-13' },
      { entry_id: s.idOf(2), line_no: 1, business_date: '2026-03-14' },
      { entry_id: s.idOf(2), line_no: 2, business_date: '2026-03-14' },
    ],
    { orderBy: ['business_date', 'line_no'] },
  );
});

t.test('VenueConfigured earlier in the batch dates the entries after it by the new time zone; those before keep the old one', async (t) => {
  // 2026-03-14 05:30 UTC: 13:30 on the 14th in Shanghai, 05:30 on the 14th in London (before its 06:00 start).
  const early = { hhmm: '13:30', next: true } as const;
  const s = spec(t)
    .given([held()])
    .when([paymentSucceeded('pay-1', 1000, early), venueConfigured(london, local('13:00', true)), paymentSucceeded('pay-2', 2000, early)]);
  await s.expectRows(
    'journal_entries',
    [
      { entry_id: s.idOf(3), business_date: '2026-03-13' },
      { entry_id: s.idOf(1), business_date: '2026-03-14' },
    ],
    { orderBy: 'business_date' },
  );
});

t.test('VenueConfigured in an earlier batch still dates the entries of later batches', async (t) => {
  // With the business day starting at midnight, 01:30 on the 14th is the 14th (from 06:00 it would be the 13th).
  const s = spec(t)
    .given([held(), venueConfigured(fromMidnight, local('12:00'))])
    .when([paymentSucceeded('pay-1', 1000, { hhmm: '01:30', next: true })]);
  await s.expectRows('journal_entries', [{ entry_id: s.idOf(2), business_date: '2026-03-14' }]);
});

t.test(
  'BookingConfirmed, BookingCheckedIn, BookingExtended, BookingExpired and RefundRequested post nothing and leave the balance',
  async (t) => {
    const s = spec(t)
      .given(depositPaid)
      .when([checkedIn(), extended(60, local('00:00', true), 9800), refundRequested('pay-1', 'rf-1', 1000), expired('19:16', BOOKING)]);
    await s.expectRows('journal_entries', [{ event_type: 'PaymentSucceeded' }]);
    await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 8820, checked_out: false }]);
  },
);

t.test('BookingMoved posts nothing; the lines posted after it name the new room and room type', async (t) => {
  const s = spec(t)
    .given(depositPaid)
    .when([moved('room-s01', 'room-m01', 'medium', 44100, 29400, '20:30'), checkedIn('20:35'), checkedOut(44100, 8820, local('23:10'))]);
  await s.expectRows(
    'journal_lines',
    [
      { entry_id: s.idOf(6), line_no: 1, room_id: 'room-m01', room_type_id: 'medium' },
      { entry_id: s.idOf(6), line_no: 2, room_id: 'room-m01', room_type_id: 'medium' },
      { entry_id: s.idOf(6), line_no: 3, room_id: 'room-m01', room_type_id: 'medium' },
      { entry_id: s.idOf(2), line_no: 1, room_id: 'room-s01', room_type_id: 'small' },
      { entry_id: s.idOf(2), line_no: 2, room_id: 'room-s01', room_type_id: 'small' },
    ],
    { orderBy: ['room_id', 'line_no'] },
  );
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, room_id: 'room-m01', room_type_id: 'medium' }]);
});

t.test('BookingCheckedOut recognises the bill as room revenue: deposits held applied first, the rest owed by the guest', async (t) => {
  const s = spec(t)
    .given(depositPaid)
    .when([checkedIn(), checkedOut(29400, 8820, local('00:30', true))]);
  await s.expectRows(
    'journal_entries',
    [
      {
        entry_id: s.idOf(5),
        business_date: BUSINESS_DATE,
        booking_id: BOOKING,
        event_type: 'BookingCheckedOut',
        description: 'room revenue recognised at check-out',
        posted_at: at('00:30', true),
      },
    ],
    { where: { event_type: 'BookingCheckedOut' } },
  );
  await s.expectRows(
    'journal_lines',
    [
      { entry_id: s.idOf(5), ...line(1, '2203', 8820, 0), ...attribution },
      { entry_id: s.idOf(5), ...line(2, '1122', 20580, 0), ...attribution },
      { entry_id: s.idOf(5), ...line(3, '6001', 0, 29400), ...attribution },
    ],
    { where: { entry_id: s.idOf(5) }, orderBy: 'line_no' },
  );
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 0, checked_out: true }]);
});

t.test('PaymentSucceeded of the balance after check-out settles what the guest owes', async (t) => {
  const s = spec(t)
    .given([...depositPaid, checkedIn(), checkedOut(29400, 8820, local('23:05'))])
    .when([paymentSucceeded('pay-2', 20580, { purpose: 'balance', method: 'cash', hhmm: '23:08' })]);
  await s.expectRows(
    'journal_entries',
    [{ entry_id: s.idOf(6), event_type: 'PaymentSucceeded', description: 'cash payment of the balance', posted_at: at('23:08') }],
    { where: { entry_id: s.idOf(6) } },
  );
  await s.expectRows(
    'journal_lines',
    [
      { ...line(1, '1001', 20580, 0), ...attribution },
      { ...line(2, '1122', 0, 20580), ...attribution },
    ],
    { where: { entry_id: s.idOf(6) }, orderBy: 'line_no' },
  );
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 0, checked_out: true }]);
});

t.test(
  'BookingCheckedOut of a zero bill posts no entry but records the check-out, so a later balance payment settles a receivable',
  async (t) => {
    const s = spec(t)
      .given([walkIn(), checkedOut(0, 0, local('22:00'), 'bk-walk-in')])
      .when([paymentSucceeded('pay-w', 500, { purpose: 'balance', method: 'card', hhmm: '22:05', bookingId: 'bk-walk-in' })]);
    await s.expectRows('journal_entries', [
      { entry_id: s.idOf(2), event_type: 'PaymentSucceeded', description: 'card payment of the balance' },
    ]);
    await s.expectRows('journal_lines', [
      { line_no: 1, account: '1003', debit: 500, credit: 0 },
      { line_no: 2, account: '1122', debit: 0, credit: 500 },
    ]);
    await s.expectRows('ledger_bookings', [{ booking_id: 'bk-walk-in', deposits_held: 0, checked_out: true }]);
  },
);

t.test('PaymentSucceeded of a balance before check-out is held with the deposits', async (t) => {
  const s = spec(t)
    .given(depositPaid)
    .when([paymentSucceeded('pay-2', 20580, { purpose: 'balance', method: 'card', hhmm: '19:30' })]);
  await s.expectRows(
    'journal_lines',
    [
      { line_no: 1, account: '1003', debit: 20580, credit: 0 },
      { line_no: 2, account: '2203', debit: 0, credit: 20580 },
    ],
    { where: { entry_id: s.idOf(4) } },
  );
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 29400, checked_out: false }]);
});

t.test('RefundSucceeded pays the deposit back out through the clearing account of the method', async (t) => {
  const s = spec(t)
    .given([...depositPaid, cancelled(8820, '19:30')])
    .when([refundSucceeded('pay-1', 'rf-1', 8820, { hhmm: '19:40' })]);
  await s.expectRows(
    'journal_entries',
    [
      {
        entry_id: s.idOf(2),
        business_date: BUSINESS_DATE,
        booking_id: BOOKING,
        event_type: 'PaymentSucceeded',
        description: 'wechatpay deposit received',
        posted_at: at('19:04'),
      },
      {
        entry_id: s.idOf(5),
        business_date: BUSINESS_DATE,
        booking_id: BOOKING,
        event_type: 'RefundSucceeded',
        description: 'wechatpay refund',
        posted_at: at('19:40'),
      },
    ],
    { orderBy: 'posted_at' },
  );
  await s.expectRows(
    'journal_lines',
    [
      { entry_id: s.idOf(5), ...line(1, '2203', 8820, 0), ...attribution },
      { entry_id: s.idOf(5), ...line(2, '1012', 0, 8820), ...attribution },
    ],
    { where: { entry_id: s.idOf(5) }, orderBy: 'line_no' },
  );
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 0, checked_out: false }]);
});

t.test('BookingCancelled with a full refund posts nothing: the refund posts when it succeeds', async (t) => {
  const s = spec(t)
    .given(depositPaid)
    .when([cancelled(8820, '19:30')]);
  await s.expectRows('journal_entries', [{ entry_id: s.idOf(2) }]);
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 8820 }]);
});

t.test('BookingCancelled late, with no refund, keeps the deposit as forfeited income', async (t) => {
  const s = spec(t)
    .given(depositPaid)
    .when([cancelled(0, '19:50')]);
  await s.expectRows(
    'journal_entries',
    [{ entry_id: s.idOf(4), event_type: 'BookingCancelled', description: 'deposit kept on a late cancellation', posted_at: at('19:50') }],
    { where: { entry_id: s.idOf(4) } },
  );
  await s.expectRows(
    'journal_lines',
    [
      { ...line(1, '2203', 8820, 0), ...attribution },
      { ...line(2, '6051', 0, 8820), ...attribution },
    ],
    { where: { entry_id: s.idOf(4) }, orderBy: 'line_no' },
  );
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 0 }]);
});

t.test(
  'BookingCancelled with a partial refund keeps the rest as income; the refunded part stays held until the refund succeeds',
  async (t) => {
    const s = spec(t)
      .given(depositPaid)
      .when([cancelled(3000, '19:50')]);
    await s.expectRows(
      'journal_lines',
      [
        { line_no: 1, account: '2203', debit: 5820, credit: 0 },
        { line_no: 2, account: '6051', debit: 0, credit: 5820 },
      ],
      { where: { entry_id: s.idOf(4) } },
    );
    await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 3000 }]);
  },
);

t.test('BookingMarkedNoShow forfeits the deposit held', async (t) => {
  const s = spec(t)
    .given(depositPaid)
    .when([noShow(8820, '20:31')]);
  await s.expectRows(
    'journal_entries',
    [{ entry_id: s.idOf(4), event_type: 'BookingMarkedNoShow', description: 'deposit forfeited by a no-show', posted_at: at('20:31') }],
    { where: { entry_id: s.idOf(4) } },
  );
  await s.expectRows(
    'journal_lines',
    [
      { ...line(1, '2203', 8820, 0), ...attribution },
      { ...line(2, '6051', 0, 8820), ...attribution },
    ],
    { where: { entry_id: s.idOf(4) }, orderBy: 'line_no' },
  );
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 0 }]);
});

t.test('BookingMarkedNoShow with nothing held posts nothing', async (t) => {
  const s = spec(t)
    .given([held(), confirmed(0)])
    .when([noShow(0, '20:31')]);
  await s.expectRows('journal_entries', []);
});

t.test('Every entry balances: its debits equal its credits', async (t) => {
  const s = spec(t).given([
    ...depositPaid,
    checkedIn(),
    moved('room-s01', 'room-m01', 'medium', 44100, 29400, '20:30'),
    checkedOut(44100, 8820, local('23:10')),
    paymentSucceeded('pay-2', 35280, { purpose: 'balance', hhmm: '23:12' }),
    held({ bookingId: 'bk-2', roomId: 'room-s02' }),
    paymentSucceeded('pay-3', 8820, { bookingId: 'bk-2' }),
    cancelled(0, '19:50', 'bk-2'),
  ]);
  const unbalanced = await s.query((db) =>
    db
      .selectFrom('journal_lines')
      .select('entry_id')
      .groupBy('entry_id')
      .having(sql<boolean>`sum(debit) <> sum(credit)`)
      .execute(),
  );
  t.strictSame(unbalanced, [], 'no entry whose debits differ from its credits');
  const entries = await s.query((db) =>
    db
      .selectFrom('journal_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  t.equal(Number(entries.n), 5, 'two deposits, a check-out, a balance payment and a forfeit');
});

t.test('revenue_daily adds up room revenue and forfeits per business day and room type, counting the bookings', async (t) => {
  await spec(t)
    .given([
      // 2026-03-13: bk-1 (small) checked out at 00:30 after midnight, 294.00; bk-2 (small) forfeits 88.20; bk-3 (medium) 441.00.
      ...depositPaid,
      checkedIn(),
      checkedOut(29400, 8820, local('00:30', true)),
      held({ bookingId: 'bk-2', roomId: 'room-s02' }),
      paymentSucceeded('pay-2', 8820, { bookingId: 'bk-2' }),
      noShow(8820, '20:31', 'bk-2'),
      walkIn({ bookingId: 'bk-3', roomId: 'room-m01', roomTypeId: 'medium' }),
      checkedOut(44100, 0, local('23:00'), 'bk-3'),
      // 2026-03-14 (from 06:00): bk-4 (small) 100.00.
      walkIn({ bookingId: 'bk-4', roomId: 'room-s03', roomTypeId: 'small', businessDate: '2026-03-14' }),
      checkedOut(10000, 0, local('07:00', true), 'bk-4'),
    ])
    .expectRows('revenue_daily', [
      {
        business_date: '2026-03-13',
        room_type_id: 'medium',
        bookings: 1,
        room_revenue: 44100,
        product_revenue: null,
        adjustments: null,
        forfeited_deposits: null,
        output_vat: 0,
        revenue: 44100,
      },
      {
        business_date: '2026-03-13',
        room_type_id: 'small',
        bookings: 2,
        room_revenue: 29400,
        product_revenue: null,
        adjustments: null,
        forfeited_deposits: 8820,
        output_vat: 0,
        revenue: 38220,
      },
      {
        business_date: '2026-03-14',
        room_type_id: 'small',
        bookings: 1,
        room_revenue: 10000,
        product_revenue: null,
        adjustments: null,
        forfeited_deposits: null,
        output_vat: 0,
        revenue: 10000,
      },
    ]);
});

t.test('A redelivered batch that posts is refused by the entry’s key and rolled back: nothing is posted twice', async (t) => {
  const s = spec(t)
    .given([held()])
    .when([paymentSucceeded('pay-1', 8820), checkedIn(), checkedOut(29400, 8820, local('23:05'))])
    .redelivered({ rejectedWith: /journal_entries_pkey/ });
  await s.expectRows(
    'journal_entries',
    [
      { entry_id: s.idOf(1), event_type: 'PaymentSucceeded' },
      { entry_id: s.idOf(3), event_type: 'BookingCheckedOut' },
    ],
    { orderBy: 'posted_at' },
  );
  await s.query(async (db) => {
    const lines = await db
      .selectFrom('journal_lines')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    t.equal(Number(lines.n), 5, 'two lines for the deposit, three for the check-out');
  });
  await s.expectRows('ledger_bookings', [{ booking_id: BOOKING, deposits_held: 0, checked_out: true }]);
});

t.test('A redelivered batch that posts nothing (a hold, a venue change) is accepted and changes nothing', async (t) => {
  const s = spec(t)
    .given([venueConfigured(london, local('10:00')), held({ price: price(26460, 8000, 'gold') })])
    .redelivered();
  await s.expectRows('ledger_venue', [{ id: 1, settings: london }]);
  await s.expectRows('ledger_bookings', [
    { booking_id: BOOKING, room_id: 'room-s01', room_type_id: 'small', member_level: 'gold', deposits_held: 0, checked_out: false },
  ]);
  await s.expectRows('journal_entries', []);
});
