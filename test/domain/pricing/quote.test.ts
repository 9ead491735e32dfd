import t from 'tap';
import { PricingError, quote } from '../../../domain/pricing/quote.js';
import { DEFAULT_VENUE } from '../../../domain/venue/settings.js';
import { bookingDecider, type Booking } from '../../../commands/bookings/decider.js';
import type { BookingEvent, Price } from '../../../src/events/bookings.js';
import type { DayKind, RateCard, VenueSettings } from '../../../src/events/venue.js';
import type { MembershipLevel } from '../../../src/events/users.js';

/**
 * Pricing cases, each figure worked out by hand. The venue is open around the
 * clock in Asia/Shanghai (UTC+8) and its business day starts at 06:00, so a
 * stay after midnight is priced by the day that began the evening before.
 * 2026-03-13 is a Friday, 03-14 a Saturday, 03-15 a Sunday, 03-16 a Monday;
 * 2026-10-01 (a Thursday) is a holiday. All money in fen.
 */
const venue: VenueSettings = { ...DEFAULT_VENUE, holidays: ['2026-10-01'] };

/** Hourly rates per band; every rate but medium's divides by 60, so most minutes cost whole fen. */
const card: RateCard = {
  version: 3,
  currency: 'CNY',
  bands: [
    { id: 'late_night', name: 'Late night 00–06', fromMinute: 0, toMinute: 360 },
    { id: 'morning', name: 'Morning 06–12', fromMinute: 360, toMinute: 720 },
    { id: 'afternoon', name: 'Afternoon 12–18', fromMinute: 720, toMinute: 1080 },
    { id: 'prime', name: 'Prime 18–24', fromMinute: 1080, toMinute: 1440 },
  ],
  hourly: {
    small: {
      weekday: { late_night: 4800, morning: 3600, afternoon: 6000, prime: 9000 },
      weekend: { late_night: 6000, morning: 4800, afternoon: 7800, prime: 12000 },
    },
    medium: {
      weekday: { late_night: 7000, morning: 5000, afternoon: 7000, prime: 10000 },
      weekend: { late_night: 9000, morning: 6500, afternoon: 9000, prime: 13000 },
    },
    large: {
      weekday: { late_night: 9600, morning: 7200, afternoon: 12000, prime: 18000 },
      weekend: { late_night: 12000, morning: 9600, afternoon: 15600, prime: 24000 },
    },
  },
  packages: [
    {
      id: 'small-afternoon-3h',
      name: 'Afternoon 3 hours',
      roomTypeId: 'small',
      bandId: 'afternoon',
      dayKind: 'weekday',
      minutes: 180,
      price: 15000,
    },
    {
      id: 'small-afternoon-3h-any',
      name: 'Afternoon 3 hours, any day',
      roomTypeId: 'small',
      bandId: 'afternoon',
      dayKind: 'any',
      minutes: 180,
      price: 16500,
    },
    { id: 'small-prime-2h', name: 'Prime 2 hours', roomTypeId: 'small', bandId: 'prime', dayKind: 'any', minutes: 120, price: 20000 },
  ],
  minimumSpend: { small: 0, medium: 0, large: 30000 },
  memberDiscountPercent: { regular: 0, silver: 5, gold: 10, black: 15 },
  deposit: { percent: 30, minimum: 5000 },
};

const local = (dateTime: string) => new Date(`${dateTime.replace(' ', 'T')}:00+08:00`);

type BandRow = readonly [bandId: string, dayKind: DayKind, minutes: number, hourlyRate: number, amount: number];
type Case = Readonly<{
  name: string;
  roomTypeId: string;
  start: string;
  minutes: number;
  level?: MembershipLevel;
  bands: readonly BandRow[];
  package?: string;
  subtotal: number;
  /** Percent and amount off. */
  discount?: readonly [number, number];
  /** Minimum spend and the top-up to reach it. */
  minimumSpend?: readonly [number, number];
  total: number;
  deposit: number;
}>;

const cases: readonly Case[] = [
  // --- time bands, weekday ---
  {
    name: 'weekday prime time: 2 h × 90.00 = 180.00; deposit 30 % = 54.00',
    roomTypeId: 'small',
    start: '2026-03-13 20:00',
    minutes: 120,
    bands: [['prime', 'weekday', 120, 9000, 18000]], // 9000 × 120 / 60
    subtotal: 18000,
    total: 18000,
    deposit: 5400, // 30 % of 18000 = 5400 ≥ 5000
  },
  {
    name: 'weekday afternoon: 1 h × 60.00; 30 % (18.00) is below the 50.00 minimum deposit',
    roomTypeId: 'small',
    start: '2026-03-13 14:00',
    minutes: 60,
    bands: [['afternoon', 'weekday', 60, 6000, 6000]],
    subtotal: 6000,
    total: 6000,
    deposit: 5000, // max(5000, 1800)
  },
  {
    name: 'a total below the minimum deposit is the whole deposit',
    roomTypeId: 'small',
    start: '2026-03-13 09:00',
    minutes: 30,
    bands: [['morning', 'weekday', 30, 3600, 1800]], // 3600 × 30 / 60
    subtotal: 1800,
    total: 1800,
    deposit: 1800, // min(1800, max(5000, 540))
  },
  {
    name: 'across a band edge: 17:00–19:00 is an hour of afternoon and an hour of prime',
    roomTypeId: 'small',
    start: '2026-03-13 17:00',
    minutes: 120,
    bands: [
      ['afternoon', 'weekday', 60, 6000, 6000],
      ['prime', 'weekday', 60, 9000, 9000],
    ],
    subtotal: 15000,
    total: 15000,
    deposit: 5000, // 6000 + 9000; max(5000, 4500)
  },
  {
    name: 'each band line is rounded to the fen on its own: 17:40–18:40 in a medium room',
    roomTypeId: 'medium',
    start: '2026-03-13 17:40',
    minutes: 60,
    // afternoon 7000 × 20 / 60 = 2333.33 → 2333; prime 10000 × 40 / 60 = 6666.67 → 6667
    bands: [
      ['afternoon', 'weekday', 20, 7000, 2333],
      ['prime', 'weekday', 40, 10000, 6667],
    ],
    subtotal: 9000,
    total: 9000,
    deposit: 5000, // 2333 + 6667; max(5000, 2700)
  },
  {
    name: 'the deposit is 30 % rounded to the fen: 110 min of medium prime time',
    roomTypeId: 'medium',
    start: '2026-03-13 18:00',
    minutes: 110,
    bands: [['prime', 'weekday', 110, 10000, 18333]], // 10000 × 110 / 60 = 18333.33 → 18333
    subtotal: 18333,
    total: 18333,
    deposit: 5500, // 18333 × 30 / 100 = 5499.9 → 5500
  },
  // --- across midnight: the business day that began the evening before ---
  {
    name: 'Friday 23:00–01:00 crosses midnight and the prime/late-night edge, all at Friday (weekday) rates',
    roomTypeId: 'small',
    start: '2026-03-13 23:00',
    minutes: 120,
    bands: [
      ['prime', 'weekday', 60, 9000, 9000],
      ['late_night', 'weekday', 60, 4800, 4800],
    ],
    subtotal: 13800,
    total: 13800,
    deposit: 5000, // 9000 + 4800; max(5000, 4140)
  },
  {
    name: 'Saturday 02:00 (calendar) belongs to Friday’s business day: weekday rate',
    roomTypeId: 'small',
    start: '2026-03-14 02:00',
    minutes: 60,
    bands: [['late_night', 'weekday', 60, 4800, 4800]],
    subtotal: 4800,
    total: 4800,
    deposit: 4800, // min(4800, max(5000, 1440))
  },
  // --- weekend and holidays ---
  {
    name: 'Saturday evening: weekend prime rate',
    roomTypeId: 'small',
    start: '2026-03-14 20:00',
    minutes: 60,
    bands: [['prime', 'weekend', 60, 12000, 12000]],
    subtotal: 12000,
    total: 12000,
    deposit: 5000, // max(5000, 3600)
  },
  {
    name: 'Monday 01:00 (calendar) belongs to Sunday’s business day: weekend rate',
    roomTypeId: 'small',
    start: '2026-03-16 01:00',
    minutes: 60,
    bands: [['late_night', 'weekend', 60, 6000, 6000]],
    subtotal: 6000,
    total: 6000,
    deposit: 5000,
  },
  {
    name: 'Monday from 06:00 is a weekday again',
    roomTypeId: 'small',
    start: '2026-03-16 06:00',
    minutes: 60,
    bands: [['morning', 'weekday', 60, 3600, 3600]],
    subtotal: 3600,
    total: 3600,
    deposit: 3600, // min(3600, 5000)
  },
  {
    name: 'a holiday on a Thursday is priced as a weekend',
    roomTypeId: 'small',
    start: '2026-10-01 20:00',
    minutes: 60,
    bands: [['prime', 'weekend', 60, 12000, 12000]],
    subtotal: 12000,
    total: 12000,
    deposit: 5000,
  },
  {
    name: 'the night after a holiday, past midnight, is still the holiday',
    roomTypeId: 'small',
    start: '2026-10-02 01:00',
    minutes: 60,
    bands: [['late_night', 'weekend', 60, 6000, 6000]],
    subtotal: 6000,
    total: 6000,
    deposit: 5000,
  },
  {
    name: 'the holiday’s calendar date before 06:00 belongs to the (weekday) day before',
    roomTypeId: 'small',
    start: '2026-10-01 05:00',
    minutes: 60,
    bands: [['late_night', 'weekday', 60, 4800, 4800]],
    subtotal: 4800,
    total: 4800,
    deposit: 4800,
  },
  // --- packages ---
  {
    name: 'package: 3 weekday afternoon hours fit two packages; the cheaper replaces the 180.00 by the hour',
    roomTypeId: 'small',
    start: '2026-03-13 13:00',
    minutes: 180,
    bands: [['afternoon', 'weekday', 180, 6000, 18000]],
    package: 'small-afternoon-3h', // 15000 < 16500 < 18000
    subtotal: 15000,
    total: 15000,
    deposit: 5000, // max(5000, 4500)
  },
  {
    name: 'package: on a weekend only the any-day afternoon package fits',
    roomTypeId: 'small',
    start: '2026-03-14 13:00',
    minutes: 180,
    bands: [['afternoon', 'weekend', 180, 7800, 23400]], // 7800 × 3
    package: 'small-afternoon-3h-any', // 16500 < 23400
    subtotal: 16500,
    total: 16500,
    deposit: 5000, // max(5000, 4950)
  },
  {
    name: 'package: a package dearer than the hours (200.00 vs 180.00 on a weekday) is not used',
    roomTypeId: 'small',
    start: '2026-03-13 19:00',
    minutes: 120,
    bands: [['prime', 'weekday', 120, 9000, 18000]],
    subtotal: 18000,
    total: 18000,
    deposit: 5400,
  },
  {
    name: 'package: the same package is cheaper than weekend hours (200.00 vs 240.00) and is used',
    roomTypeId: 'small',
    start: '2026-03-14 19:00',
    minutes: 120,
    bands: [['prime', 'weekend', 120, 12000, 24000]],
    package: 'small-prime-2h',
    subtotal: 20000,
    total: 20000,
    deposit: 6000, // 30 % of 20000
  },
  {
    name: 'package: 2 afternoon hours are not the 3 the package is for',
    roomTypeId: 'small',
    start: '2026-03-13 13:00',
    minutes: 120,
    bands: [['afternoon', 'weekday', 120, 6000, 12000]],
    subtotal: 12000,
    total: 12000,
    deposit: 5000, // max(5000, 3600)
  },
  {
    name: 'package: 3 hours across the afternoon/prime edge are in no one band, so no package',
    roomTypeId: 'small',
    start: '2026-03-13 16:00',
    minutes: 180,
    bands: [
      ['afternoon', 'weekday', 120, 6000, 12000],
      ['prime', 'weekday', 60, 9000, 9000],
    ],
    subtotal: 21000,
    total: 21000,
    deposit: 6300, // 12000 + 9000; 30 % = 6300
  },
  {
    name: 'package: another room type’s package does not apply',
    roomTypeId: 'medium',
    start: '2026-03-13 13:00',
    minutes: 180,
    bands: [['afternoon', 'weekday', 180, 7000, 21000]],
    subtotal: 21000,
    total: 21000,
    deposit: 6300,
  },
  // --- member discounts ---
  {
    name: 'member: gold takes 10 % off',
    roomTypeId: 'small',
    start: '2026-03-13 20:00',
    minutes: 120,
    level: 'gold',
    bands: [['prime', 'weekday', 120, 9000, 18000]],
    subtotal: 18000,
    discount: [10, 1800],
    total: 16200,
    deposit: 5000, // 18000 − 1800; 30 % = 4860 < 5000
  },
  {
    name: 'member: black takes 15 % off',
    roomTypeId: 'small',
    start: '2026-03-13 20:00',
    minutes: 120,
    level: 'black',
    bands: [['prime', 'weekday', 120, 9000, 18000]],
    subtotal: 18000,
    discount: [15, 2700],
    total: 15300,
    deposit: 5000, // 18000 − 2700; 30 % = 4590
  },
  {
    name: 'member: silver’s 5 % is rounded to the fen',
    roomTypeId: 'small',
    start: '2026-03-13 20:00',
    minutes: 75,
    level: 'silver',
    bands: [['prime', 'weekday', 75, 9000, 11250]], // 9000 × 75 / 60
    subtotal: 11250,
    discount: [5, 563],
    total: 10687,
    deposit: 5000, // 5 % = 562.5 → 563; 11250 − 563
  },
  {
    name: 'member: the discount applies to a package price',
    roomTypeId: 'small',
    start: '2026-03-13 13:00',
    minutes: 180,
    level: 'gold',
    bands: [['afternoon', 'weekday', 180, 6000, 18000]],
    package: 'small-afternoon-3h',
    subtotal: 15000,
    discount: [10, 1500],
    total: 13500,
    deposit: 5000, // 15000 − 1500; 30 % = 4050
  },
  // --- minimum spend ---
  {
    name: 'minimum spend: 2 h in a large room (240.00) keep their price; the 300.00 minimum is recorded beside it and sets the deposit',
    roomTypeId: 'large',
    start: '2026-03-13 13:00',
    minutes: 120,
    bands: [['afternoon', 'weekday', 120, 12000, 24000]],
    subtotal: 24000,
    minimumSpend: [30000, 0],
    total: 24000,
    deposit: 9000, // 30 % of the 300.00 committed
  },
  {
    name: 'minimum spend: a member discount lowers the room price, not the minimum',
    roomTypeId: 'large',
    start: '2026-03-13 13:00',
    minutes: 120,
    level: 'gold',
    bands: [['afternoon', 'weekday', 120, 12000, 24000]],
    subtotal: 24000,
    discount: [10, 2400],
    minimumSpend: [30000, 0],
    total: 21600,
    deposit: 9000, // 30 % of the 300.00 committed
  },
  {
    name: 'minimum spend: above the minimum there is no top-up',
    roomTypeId: 'large',
    start: '2026-03-13 19:00',
    minutes: 120,
    bands: [['prime', 'weekday', 120, 18000, 36000]],
    subtotal: 36000,
    minimumSpend: [30000, 0],
    total: 36000,
    deposit: 10800, // 30 % of 36000
  },
];

function expected(c: Case, version = card.version): Price {
  const pkg = c.package === undefined ? null : card.packages.find((p) => p.id === c.package);
  if (pkg === undefined) throw new Error(`no package ${c.package} in the test card`);
  const [percent, amount] = c.discount ?? [0, 0];
  const [minimum, topUp] = c.minimumSpend ?? [card.minimumSpend[c.roomTypeId] ?? 0, 0];
  return {
    total: c.total,
    deposit: c.deposit,
    currency: 'CNY',
    rateCardVersion: version,
    breakdown: {
      bands: c.bands.map(([bandId, dayKind, minutes, hourlyRate, amount]) => ({ bandId, dayKind, minutes, hourlyRate, amount })),
      package: pkg && { id: pkg.id, name: pkg.name, price: pkg.price },
      subtotal: c.subtotal,
      discount: { level: c.level ?? 'regular', percent, amount },
      minimumSpend: { amount: minimum, topUp },
    },
    dynamic: null,
  };
}

for (const c of cases) {
  t.test(`quote: ${c.name}`, async (t) => {
    const price = quote(card, venue, {
      roomTypeId: c.roomTypeId,
      start: local(c.start),
      minutes: c.minutes,
      memberLevel: c.level ?? 'regular',
    });
    t.strictSame(price, expected(c));
  });
}

t.test('quote: a room type the card has no rates for is a PricingError', async (t) => {
  const error = t.throws(
    () => quote(card, venue, { roomTypeId: 'ballroom', start: local('2026-03-13 20:00'), minutes: 60, memberLevel: 'regular' }),
    { message: 'rate card 3 has no rates for room type ballroom' },
  );
  t.type(error, PricingError);
});

t.test('quote: a band the card has no rate for, for that day kind, is a PricingError', async (t) => {
  const noWeekendPrime: RateCard = {
    ...card,
    hourly: { small: { weekday: card.hourly.small!.weekday, weekend: { late_night: 6000, morning: 4800, afternoon: 7800 } } },
  };
  const error = t.throws(
    () => quote(noWeekendPrime, venue, { roomTypeId: 'small', start: local('2026-03-14 20:00'), minutes: 60, memberLevel: 'regular' }),
    { message: 'rate card 3 has no weekend rate for small in prime' },
  );
  t.type(error, PricingError);
  t.doesNotThrow(
    () => quote(noWeekendPrime, venue, { roomTypeId: 'small', start: local('2026-03-13 20:00'), minutes: 60, memberLevel: 'regular' }),
    'weekday prime is still priced',
  );
});

t.test('quote: the price recorded in a booking is not changed by a later rate card', async (t) => {
  // Held under card 3: 2 h of Friday prime time at 90.00 = 180.00.
  const input = { roomTypeId: 'small', start: local('2026-03-13 20:00'), minutes: 120, memberLevel: 'regular' as const };
  const recorded = quote(card, venue, input);
  t.equal(recorded.total, 18000, 'quoted under card 3');

  // Card 4 raises weekday prime time to 100.00 an hour: the same stay now quotes 2 × 100.00 = 200.00.
  const raised: RateCard = {
    ...card,
    version: 4,
    hourly: { ...card.hourly, small: { ...card.hourly.small!, weekday: { ...card.hourly.small!.weekday, prime: 10000 } } },
  };
  const requoted = quote(raised, venue, input);
  t.match(requoted, { total: 20000, deposit: 6000, rateCardVersion: 4 }, 'card 4 gives a different figure');

  // The booking keeps what its event recorded.
  const at = local('2026-03-13 10:00').toISOString();
  const events: BookingEvent[] = [
    {
      type: 'BookingHeld',
      data: {
        bookingId: 'bk-1',
        roomId: 'room-s01',
        roomTypeId: 'small',
        guestId: 'user-guest',
        guestName: null,
        guestPhone: null,
        bookedBy: 'user-guest',
        partySize: 2,
        start: local('2026-03-13 20:00').toISOString(),
        end: local('2026-03-13 22:00').toISOString(),
        businessDate: '2026-03-13',
        holdExpiresAt: local('2026-03-13 10:15').toISOString(),
        price: recorded,
        at,
      },
    },
    { type: 'BookingConfirmed', data: { bookingId: 'bk-1', paymentId: 'pay-1', amountPaid: 5400, by: 'user-guest', at } },
    { type: 'BookingCheckedIn', data: { bookingId: 'bk-1', by: 'user-waiter', at: local('2026-03-13 19:55').toISOString() } },
  ];
  const state = events.reduce(bookingDecider.evolve, bookingDecider.initialState());
  if (state.status === 'none') throw new Error('no booking');
  const booking: Booking = state;
  t.match(booking.price, { total: 18000, deposit: 5400, rateCardVersion: 3 }, 'the booking keeps the price of card 3');
  t.equal(booking.basePrice, 18000, 'and bills it');

  const [checkedOut] = bookingDecider.decide(
    { type: 'CheckOut', vatRatePercent: 0, overtime: null, timeUsed: null, now: local('2026-03-13 22:00'), by: 'user-waiter' },
    booking,
  );
  t.strictSame(
    checkedOut?.data,
    {
      bookingId: 'bk-1',
      bill: { total: 18000, paid: 5400, due: 12600, currency: 'CNY', lines: [{ kind: 'room', description: 'Room', amount: 18000 }] },
      by: 'user-waiter',
      at: local('2026-03-13 22:00').toISOString(),
    },
    'check-out bills 180.00, not 200.00',
  );
});
