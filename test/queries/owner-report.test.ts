import t from 'tap';
import { randomUUID } from 'node:crypto';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { bill, held, price } from '../projections/fixtures.js';
import { businessDateOf, businessDayBounds, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { addMinutes } from '../../src/clock.js';
import { bookingStream } from '../../src/events/bookings.js';

/**
 * The owner's report over HTTP: its figures against the ledger's own reports and the occupancy
 * read model, a member's past stay for the member share, and who may read it.
 */
const { app, platform, runner } = await startTestService(t);
// Today's stays are walk-ins of the hour from now.
const dayEnd = dayEndFarFromNow();
const settings = { ...DEFAULT_VENUE, ...dayEnd };
const venue = await setUpVenue(app, platform, { vatRatePercent: 6, ...dayEnd });
const { manager, waiter } = venue;
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const get = (url: string, auth: Record<string, string>) => call(app, { method: 'GET', url, headers: auth });
/** Setup runs before any test, so a step that fails throws rather than asserting. */
const must = async (reply: Promise<{ status: number; raw: string; body: any }>, status: number) => {
  const r = await reply;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.raw}`);
  return r.body;
};
const today = businessDateOf(new Date(), settings);
const beer = (await post('/products', manager.auth, { name: 'Beer', category: 'drinks', price: 1_500, stock: 100 })).body.id as string;

const [s01, , s03] = venue.rooms.small as [string, string, string];
const [m01] = venue.rooms.medium as [string];
const [l01] = venue.rooms.large as [string];
for (const [roomId, partySize, beers] of [
  [s01, 2, 3],
  [m01, 6, 0],
] as const) {
  const id = (await must(post('/walk-ins', waiter.auth, { roomId, durationMinutes: 60, partySize }), 201)).id as string;
  if (beers > 0) await must(post(`/bookings/${id}/orders`, waiter.auth, { items: [{ productId: beer, quantity: beers }] }), 201);
  await runner.catchUp();
  await must(post(`/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'cash' }], cashTendered: 100_000 }), 200);
}
// A party still singing: an hour of L01 taken.
await must(post('/walk-ins', waiter.auth, { roomId: l01, durationMinutes: 60, partySize: 10 }), 201);

// A silver member's stay on a past day, as its booking's events: two hours from fourteen hours into that business day.
const memberDay = '2026-10-03';
const memberStay = randomUUID();
const hoursIn = (hours: number) => addMinutes(businessDayBounds(memberDay, settings).start, hours * 60).toISOString();
const start = hoursIn(14);
const startHour = (dayEnd.businessDayStartMinute / 60 + 14) % 24;
await platform.store.appendToStream(
  bookingStream(memberStay),
  [
    held({
      bookingId: memberStay,
      roomId: s03,
      roomTypeId: 'small',
      businessDate: memberDay,
      start,
      end: hoursIn(16),
      at: hoursIn(13),
      price: price(30_000, 9_000, 'silver'),
    }),
    { type: 'BookingConfirmed', data: { bookingId: memberStay, paymentId: null, amountPaid: 9_000, by: 'test', at: start } },
    { type: 'BookingCheckedIn', data: { bookingId: memberStay, by: 'test', at: start } },
    { type: 'BookingCheckedOut', data: { bookingId: memberStay, bill: bill(30_000, 30_000), by: 'test', at: hoursIn(16) } },
  ].map((e) => ({ id: randomUUID(), ...e })),
  'no_stream',
);
await runner.catchUp();

t.test("today's figures are the ledger's, and the heat map is the occupancy read model's", async (t) => {
  const res = await get(`/reports/owner?from=${today}&to=${today}`, manager.auth);
  t.equal(res.status, 200, res.raw);
  const r = res.body;
  const revenue = (await get(`/reports/revenue?from=${today}&to=${today}`, manager.auth)).body;
  const close = (await get(`/reports/daily-close?date=${today}`, manager.auth)).body;
  t.ok(r.headline.revenue > 0, 'revenue was taken');
  t.equal(r.headline.revenue, revenue.total, 'revenue is the revenue report’s, to the fen');
  t.equal(r.headline.netRevenue, revenue.net);
  t.equal(r.headline.productRevenue, close.revenue.products, 'F&B is the daily close’s');
  // The bill's VAT is shared out over room and goods in proportion, rounded to the fen, so the beers'
  // net is within a fen of the exact figure, on which side depending on the room's price at this hour.
  t.ok(Math.abs(r.headline.productRevenue - (3 * 1_500) / 1.06) < 1, `three beers, net of 6% VAT: ${r.headline.productRevenue}`);
  t.equal(r.headline.fnbShare, Math.round((close.revenue.products / close.revenue.net) * 10_000) / 10_000);
  t.equal(r.headline.parties, 2, 'two parties checked out');
  t.equal(r.headline.averageSpendPerParty, Math.round(revenue.total / 2));
  t.equal(r.headline.memberRevenue, 0, 'walk-ins are no members');
  t.same(r.revenueByDay, [
    {
      businessDate: today,
      room: close.revenue.room,
      products: close.revenue.products,
      adjustments: close.revenue.adjustments,
      other: close.revenue.refundsAfterCheckOut + close.revenue.forfeitedDeposits,
      vat: close.revenue.vat,
      total: close.revenue.total,
    },
  ]);
  const byRoom = (roomId: string) =>
    (r.revenueByRoomHour as { roomId: string; revenue: number }[]).filter((x) => x.roomId === roomId).reduce((s, x) => s + x.revenue, 0);
  const perRoom = (await get(`/reports/revenue?from=${today}&to=${today}&groupBy=room`, manager.auth)).body.rows as {
    key: string;
    revenue: number;
  }[];
  for (const row of perRoom) t.equal(byRoom(row.key), row.revenue, `room ${row.key}: revenue by hour adds up to the room's`);

  const first = dayEnd.businessDayStartMinute / 60;
  t.same(r.occupancy.hours.slice(0, 2), [first, (first + 1) % 24], 'the hours begin at the start of the business day');
  t.equal(r.occupancy.rooms.length, 6, 'every room, used or not');
  const { rows } = await platform.pool.query<{ room_id: string; minutes: number }>(
    'SELECT room_id, sum(occupied_minutes)::int AS minutes FROM rm.occupancy_hourly WHERE business_date = $1 GROUP BY room_id',
    [today],
  );
  const occupied = new Map(rows.map((x) => [x.room_id, x.minutes]));
  for (const room of r.occupancy.rooms as { roomId: string; cells: { occupiedMinutes: number; rate: number }[] }[]) {
    const minutes = room.cells.reduce((s, c) => s + c.occupiedMinutes, 0);
    t.equal(minutes, occupied.get(room.roomId) ?? 0, `room ${room.roomId}: the read model's minutes`);
    t.same(
      room.cells.map((c) => c.rate),
      room.cells.map((c) => Math.round((c.occupiedMinutes / 60) * 10_000) / 10_000),
      'rates are the minutes of an hour',
    );
  }
  t.equal(occupied.get(l01), 60, 'the party still singing holds L01 for its hour');
});

t.test("a member's stay counts towards the member share", async (t) => {
  const r = (await get(`/reports/owner?from=${memberDay}&to=${memberDay}`, manager.auth)).body;
  const levels = (await get(`/reports/revenue?from=${memberDay}&to=${memberDay}&groupBy=memberLevel`, manager.auth)).body;
  t.equal(r.headline.revenue, 30_000);
  t.same(
    levels.rows.map((x: { key: string }) => x.key),
    ['silver'],
  );
  t.equal(r.headline.memberRevenue, 30_000);
  t.equal(r.headline.memberShare, 1);
  t.equal(r.headline.parties, 1);
  t.equal(r.headline.averageSpendPerParty, 30_000);
  t.match(r.revenueByRoomHour, [{ roomId: s03, hour: startHour, bookings: 1, revenue: 30_000 }], 'at the hour the stay began');
  const span = (await get(`/reports/owner?from=${memberDay}&to=${today}`, manager.auth)).body;
  t.equal(span.headline.parties, 3);
  t.ok(span.days > 1);
});

t.test('managers, accountants and admins read it; waiters and guests do not; bad periods are refused', async (t) => {
  const accountant = await signUp(app, platform.store, 'accountant');
  t.equal((await get(`/reports/owner?from=${today}&to=${today}`, accountant.auth)).status, 200);
  t.equal((await get(`/reports/owner?from=${today}&to=${today}`, waiter.auth)).status, 403);
  const guest = await signUp(app, platform.store, 'guest');
  t.equal((await get(`/reports/owner?from=${today}&to=${today}`, guest.auth)).status, 403);
  t.equal((await call(app, { method: 'GET', url: `/reports/owner?from=${today}&to=${today}` })).status, 401);
  const backwards = await get(`/reports/owner?from=${today}&to=2020-01-01`, manager.auth);
  t.equal(backwards.status, 422);
  t.equal(backwards.body.code, 'validation_failed');
  t.equal((await get('/reports/owner?from=2020-01-01&to=2022-01-01', manager.auth)).status, 422, 'more than a year');
  t.equal((await get('/reports/owner?from=yesterday&to=today', manager.auth)).status, 422, 'not dates');
  t.equal((await get(`/reports/owner?from=${today}`, manager.auth)).status, 422, 'no end');
});
