import t from 'tap';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startTestService } from '../helpers/service.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { PASSWORD } from '../helpers/auth.js';
import { builtPages, chromiumFor, listening, staffPageAs } from '../helpers/browser.js';
import { until } from '../helpers/until.js';

/**
 * The staff page in Debian's Chromium: a waiter and a manager sign in on two
 * screens, the waiter opens a walk-in, and the other shows the room occupied; check-out and
 * cleaned likewise. Waits poll the DOM with a generous deadline; nothing is timed.
 */
const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts/staff-page');
const WAIT = { timeout: 20_000 };

const { app, platform, runner } = await startTestService(t, { env: { WEB_DIR: await builtPages(t) } });
const venue = await setUpVenue(app, platform, dayEndFarFromNow());
await runner.start();
t.teardown(() => runner.stop());
const base = await listening(app);
await mkdir(ARTIFACTS, { recursive: true });

const browser = await chromiumFor(t, { width: 1024, height: 720 });

const signedIn = (email: string) => staffPageAs(browser, base, email, WAIT);
const tile = (page: Page, name: string, state: string) => page.waitForSelector(`[data-room="${name}"][data-state="${state}"]`, WAIT);
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

t.test('two screens: walk-in, check-out and cleaned on one show on the other', async (t) => {
  const desk = await signedIn(venue.waiter.email);
  // A waiter may hold one session (SESSION_POLICY): the other screen is the manager's.
  const other = await signedIn(venue.manager.email);
  t.equal(await desk.getAttribute('html', 'lang'), 'zh-CN', 'Chinese by default');
  await desk.locator('[data-room]').nth(5).waitFor(WAIT);
  t.same(
    await desk.$$eval('[data-room]', (tiles) => tiles.map((e) => e.getAttribute('data-room'))),
    ['L01', 'M01', 'M02', 'S01', 'S02', 'S03'],
    'the waiter sees every room',
  );
  await shot(desk, '1-board');

  await desk.click('[data-room="S01"]');
  await desk.fill('[data-action=walk-in] input[name=partySize]', '3');
  await desk.click('[data-action=walk-in] button[type=submit]');
  await desk.waitForSelector('[data-result=ok]', WAIT);
  t.ok(await tile(other, 'S01', 'occupied'), 'the other screen shows the room occupied');
  t.match(await other.textContent('[data-room="S01"]'), /3人/, 'with the party size');
  // More of the floor for the picture: a party arriving within the hour, a room out of service.
  const soon = new Date(Math.ceil((Date.now() + 30 * 60_000) / 900_000) * 900_000);
  const asManager = { authorization: venue.manager.auth.authorization };
  const [M01] = venue.rooms.medium as [string];
  const [, , S03] = venue.rooms.small as [string, string, string];
  const hold = await app.inject({
    method: 'POST',
    url: '/bookings',
    headers: asManager,
    payload: { roomId: M01, start: soon.toISOString(), durationMinutes: 120, partySize: 6 },
  });
  t.equal(hold.statusCode, 201);
  const broken = await app.inject({
    method: 'POST',
    url: `/rooms/${S03}/out-of-service`,
    headers: asManager,
    payload: { reason: 'screen' },
  });
  t.equal(broken.statusCode, 200);
  await tile(other, 'M01', 'reserved');
  await tile(other, 'S03', 'out_of_service');
  await shot(other, '2-occupied');

  await desk.click('[data-action=check-out] button[type=submit]');
  await desk.waitForSelector('[data-result=ok]:has-text("账单")', WAIT);
  t.match(await desk.textContent('[data-result=ok]'), /账单 ¥\d+\.\d\d/, 'the bill is shown at the desk');
  t.ok(await tile(other, 'S01', 'cleaning'), 'the other screen shows it waiting for cleaning');
  await shot(desk, '3-checked-out');

  await desk.click('[data-action=cleaned] button[type=submit]');
  t.ok(await tile(other, 'S01', 'free'), 'and free again once cleaned');

  await other.click('header button.link >> nth=0');
  await other.waitForSelector('html[lang=en]', { state: 'attached', ...WAIT });
  t.match(await other.textContent('[data-room="S01"]'), /Free/, 'English on the toggle');
  await shot(other, '4-english');
});

t.test('a night at the desk: open timing, an order, a correction a manager approves, the receipt, the timeline', async (t) => {
  const asManager = { authorization: venue.manager.auth.authorization };
  const product = await app.inject({
    method: 'POST',
    url: '/products',
    headers: asManager,
    payload: { name: '青岛啤酒', category: 'drinks', unit: 'bottle', price: 1500, stock: 24 },
  });
  t.equal(product.statusCode, 201);
  const desk = await signedIn(venue.waiter.email);
  const other = await signedIn(venue.manager.email);

  await desk.click('[data-room="S02"]');
  await desk.check('[data-action=walk-in] input[name=open]');
  await desk.click('[data-action=walk-in] button[type=submit]');
  await desk.waitForSelector('[data-result=ok]', WAIT);
  await tile(other, 'S02', 'occupied');
  const [, S02] = venue.rooms.small as [string, string];
  const stay = await until(async () => {
    const board = await app.inject({ method: 'GET', url: '/board', headers: asManager });
    return board
      .json<{ rooms: { roomId: string; booking: { id: string; status: string } | null }[] }>()
      .rooms.find((r) => r.roomId === S02 && r.booking?.status === 'checked_in')?.booking?.id;
  });
  t.ok(stay, 'the party is in S02 with open timing');
  await desk.waitForSelector('[data-action=move]', WAIT);
  t.notOk(await desk.$('[data-action=extend]'), 'an open-timed stay has no end to extend');
  t.match(await other.textContent('[data-room="S02"] .countdown'), /used|已用/, 'its tile counts the time used, not down');

  await desk.waitForSelector('[data-action=order] option', { state: 'attached', ...WAIT });
  await desk.fill('[data-action=order] input[name=quantity]', '2');
  await desk.click('[data-action=order] button[type=submit]');
  // The first test left this browser in English; the page's own words are not what is checked here.
  await desk.waitForSelector('[data-bill]:has-text("青岛啤酒 × 2 bottle")', WAIT);
  t.pass('the order is on the bill');

  await desk.fill('[data-action=adjust] input[name=value]', '10%');
  await desk.fill('[data-action=adjust] input[name=reason]', '老客');
  await desk.click('[data-action=adjust] button[value="0"]');
  await desk.waitForSelector('[data-result=error]:has-text("forbidden")', WAIT);
  t.pass('a waiter cannot apply a discount on their own (the venue allows waiters nothing)');
  await desk.click('[data-action=adjust] button[value="1"]');
  await desk.waitForSelector('[data-result=ok]', WAIT);
  await until(async () => {
    const list = await app.inject({ method: 'GET', url: `/bookings/${stay}/adjustments`, headers: asManager });
    return list.json<{ status: string }[]>().some((c) => c.status === 'pending');
  });
  await other.click('[data-room="S02"]');
  await other.click('[data-request=discount] [data-action=approve] button', WAIT);
  await other.waitForSelector('[data-result=ok]', WAIT);
  t.match(await other.textContent('[data-bill]'), /10 %: 老客/, 'the manager approved it: a discount line');
  await shot(other, '5-approved');

  await desk.click('[data-action=check-out] button[type=submit]');
  await desk.waitForSelector('[data-action=receipt]', WAIT);
  const [receipt] = await Promise.all([desk.waitForEvent('popup', WAIT), desk.click('[data-action=receipt] button')]);
  await receipt.waitForSelector('h2:has-text("结账单")', WAIT);
  t.match(await receipt.textContent('body'), /包厢费[\s\S]*酒水商品[\s\S]*优惠/, 'the receipt lists the room, the beer and the discount');
  await shot(receipt, '6-receipt');

  await other.click('.sheet-head button.link');
  await other.click('[data-view=timeline]');
  await other.waitForSelector('[data-timeline-room="S02"] [data-bar=checked_out]', WAIT);
  t.ok(await other.$('[data-timeline-room="S01"] [data-bar]'), 'the first test’s stay is on the timeline too');
  await shot(other, '7-timeline');
});

t.test('a guest account is refused at sign-in', async (t) => {
  const page = await browser.newPage();
  await page.goto(`${base}/staff`);
  const res = await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'g@page.ktv', password: PASSWORD, name: 'G' } });
  t.equal(res.statusCode, 201);
  await page.fill('input[name=email]', 'g@page.ktv');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.sign-in button[type=submit]');
  t.ok(await page.waitForSelector('.sign-in .error', WAIT));
});
