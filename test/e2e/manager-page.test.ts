import t from 'tap';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startTestService } from '../helpers/service.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { PASSWORD } from '../helpers/auth.js';
import { bill, held, price } from '../projections/fixtures.js';
import { bookingStream } from '../../src/events/bookings.js';
import { businessDateOf, businessDayBounds, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { addMinutes } from '../../src/clock.js';
import { addDays } from '../../domain/venue/time.js';
import { builtPages, chromiumFor, listening } from '../helpers/browser.js';

/**
 * The manager's page in Debian's Chromium: a manager signs in and sees the headline figures, the
 * occupancy heat map and the revenue chart, each figure the API's; a waiter is refused.
 */
const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts/manager-page');
const WAIT = { timeout: 20_000 };

const { app, platform, runner } = await startTestService(t, { env: { WEB_DIR: await builtPages(t) } });
// Today's parties are walk-ins from now, for up to three hours.
const dayEnd = dayEndFarFromNow();
const settings = { ...DEFAULT_VENUE, ...dayEnd };
const venue = await setUpVenue(app, platform, { vatRatePercent: 6, ...dayEnd });
const { manager, waiter } = venue;
const must = async (method: 'GET' | 'POST', url: string, auth: Record<string, string>, payload?: object) => {
  const res = await app.inject({ method, url, headers: auth, payload });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>();
};

// Today: two parties checked out with drinks, three still singing (the heat map's hours).
const beer = (await must('POST', '/products', manager.auth, { name: 'Beer', category: 'drinks', price: 1_500, stock: 100 })).id;
const [s01, s02, s03] = venue.rooms.small as [string, string, string];
const [m01, m02] = venue.rooms.medium as [string, string];
for (const [roomId, partySize, beers] of [
  [s01, 2, 4],
  [m01, 6, 10],
] as const) {
  const { id } = await must('POST', '/walk-ins', waiter.auth, { roomId, durationMinutes: 60, partySize });
  await must('POST', `/bookings/${id}/orders`, waiter.auth, { items: [{ productId: beer, quantity: beers }] });
  await runner.catchUp();
  await must('POST', `/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'cash' }], cashTendered: 100_000 });
}
for (const [roomId, minutes, partySize] of [
  [s02, 60, 3],
  [s03, 120, 2],
  [m02, 180, 7],
] as const)
  await must('POST', '/walk-ins', waiter.auth, { roomId, durationMinutes: minutes, partySize });
// The days before: stays recorded as their bookings' events, one a gold member's, each two hours from
// fourteen hours into its business day.
const today = businessDateOf(new Date(), settings);
for (const [daysBack, roomId, roomTypeId, total, level] of [
  [1, s01, 'small', 28_000, 'regular'],
  [2, m01, 'medium', 46_000, 'gold'],
  [4, s02, 'small', 19_000, 'regular'],
] as const) {
  const bookingId = randomUUID();
  const date = addDays(today, -daysBack);
  const hoursIn = (hours: number) => addMinutes(businessDayBounds(date, settings).start, hours * 60).toISOString();
  const start = hoursIn(14);
  const end = hoursIn(16);
  await platform.store.appendToStream(
    bookingStream(bookingId),
    [
      held({ bookingId, roomId, roomTypeId, businessDate: date, start, end, at: hoursIn(13), price: price(total, 0, level) }),
      { type: 'BookingCheckedIn', data: { bookingId, by: 'test', at: start } },
      { type: 'BookingCheckedOut', data: { bookingId, bill: bill(total, total), by: 'test', at: end } },
    ].map((e) => ({ id: randomUUID(), ...e })),
    'no_stream',
  );
}
await runner.start();
t.teardown(() => runner.stop());
await runner.catchUp();
const base = await listening(app);
await mkdir(ARTIFACTS, { recursive: true });

const browser = await chromiumFor(t, { width: 1100, height: 900 });

async function signIn(email: string) {
  const page = await browser.newPage();
  await page.goto(`${base}/manager`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.sign-in button[type=submit]');
  return page;
}

type Report = {
  headline: Record<string, number>;
  revenueByDay: { businessDate: string; room: number; products: number; adjustments: number }[];
  occupancy: { rooms: { roomId: string; cells: { hour: number; occupiedMinutes: number }[] }[] };
};

t.test('a manager sees the heat map and the chart, with the figures the API gives', async (t) => {
  const page = await signIn(manager.email);
  await page.waitForSelector('.report svg.heat-map rect.cell', WAIT);
  const report = await page.$eval('.report', (el) => ({ from: el.getAttribute('data-from'), to: el.getAttribute('data-to') }));
  t.same(report, { from: addDays(today, -6), to: today }, 'the last seven business days');
  const res = await app.inject({ method: 'GET', url: `/reports/owner?from=${report.from}&to=${report.to}`, headers: manager.auth });
  t.equal(res.statusCode, 200);
  const api = res.json<Report>();

  const shown = await page.$$eval('[data-figure]', (els) =>
    els.map((e) => [e.getAttribute('data-figure'), Number(e.getAttribute('data-value'))]),
  );
  t.equal(shown.length, 5);
  for (const [key, value] of shown) t.equal(value, api.headline[key as string], `${key} is the API's`);
  t.ok(api.headline.revenue! > 0 && api.headline.memberShare! > 0 && api.headline.fnbShare! > 0, 'every figure has something to show');
  t.match(await page.textContent('[data-figure=revenue] dd'), `¥${(api.headline.revenue! / 100).toFixed(2)}`, 'in yuan');

  const cells = await page.$$eval('svg.heat-map g[data-room] rect.cell', (els) =>
    els.map((e) => [
      e.parentElement!.getAttribute('data-room'),
      Number(e.getAttribute('data-hour')),
      Number(e.getAttribute('data-minutes')),
    ]),
  );
  t.same(
    cells,
    api.occupancy.rooms.flatMap((r) => r.cells.map((c) => [r.roomId, c.hour, c.occupiedMinutes])),
    'a cell for every room and hour, with the API’s minutes',
  );
  const taken = (roomId: string) => cells.filter((c) => c[0] === roomId).reduce((s, c) => s + (c[2] as number), 0);
  t.same([taken(s02), taken(s03), taken(m02)], [60, 120, 180], 'the parties still singing fill their hours');

  const bars = await page.$$eval('svg.revenue-chart g[data-date] rect.bar', (els) =>
    els.map((e) => [e.parentElement!.getAttribute('data-date'), e.getAttribute('data-category'), Number(e.getAttribute('data-amount'))]),
  );
  t.same(
    bars,
    api.revenueByDay.flatMap((d) => (['room', 'products', 'adjustments'] as const).map((c) => [d.businessDate, c, d[c]])),
    'a bar for every day and category, with the API’s amounts',
  );
  t.equal(api.revenueByDay.length, 4, 'today and three days before');

  t.equal(await page.textContent('header .brand'), 'KTV · 经营报表', 'in Chinese first');
  await page.click('header button.link >> nth=0');
  await page.waitForSelector('text=Occupancy by room and hour', WAIT);
  await page.screenshot({ path: path.join(ARTIFACTS, 'manager-page-en.png'), fullPage: true });
  await page.click('header button.link >> nth=0');
  await page.waitForSelector('text=包房占用（按房间和时段）', WAIT);
  await page.screenshot({ path: path.join(ARTIFACTS, 'manager-page.png'), fullPage: true });
  await page.close();
});

t.test('a waiter is refused at sign-in (the API answers 403 too: test/queries/owner-report.test.ts)', async (t) => {
  const page = await signIn(waiter.email);
  t.ok(await page.waitForSelector('.sign-in .error', WAIT));
  t.equal(await page.$('.report'), null);
  await page.close();
});
