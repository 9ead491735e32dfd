import t from 'tap';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startTestService } from '../helpers/service.js';
import { setUpVenue } from '../helpers/venue.js';
import { PASSWORD } from '../helpers/auth.js';
import { builtPages, chromiumFor, listening } from '../helpers/browser.js';
import * as features from '../../src/root/features.js';
import { offerWaitingGuests } from '../../commands/waitlist/offers.js';
import { demoVenue } from '../../src/root/demo/rate-card.js';
import { businessDateOf } from '../../domain/venue/settings.js';

/**
 * The guest's page in Debian's Chromium at phone size: register, search, see
 * prices, hold, pay the deposit in the sandbox, see the booking confirmed,
 * cancel; join the waitlist when nothing fits; and on a busy night (a release
 * just opened) see the queue position until the outcome arrives on the
 * guest's own stream. Waits poll the DOM with a generous deadline.
 */
const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts/guest-page');
const WAIT = { timeout: 20_000 };

const { app, platform, runner } = await startTestService(t, { env: { WEB_DIR: await builtPages(t) } });
const venue = await setUpVenue(app, platform);
await runner.start();
t.teardown(() => runner.stop());
const base = await listening(app);
await mkdir(ARTIFACTS, { recursive: true });

const browser = await chromiumFor(t, { width: 390, height: 844 });

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
/** The wall-clock date and time of an instant in the venue's zone, as the page's inputs take them. */
const wall = (d: Date) => {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: demoVenue.timeZone, hourCycle: 'h23', dateStyle: 'short', timeStyle: 'short' });
  const [date, time] = f.format(d).split(', ') as [string, string];
  return { date, time };
};

async function registered(name: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.click('[data-action=toggle-register]');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=email]', `${name}@guest-page.ktv`);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.account button[type=submit]');
  await page.waitForSelector('main[data-stream=live]', WAIT);
  return page;
}

async function search(page: Page, at: Date, partySize: number, hours = 2) {
  const { date, time } = wall(at);
  await page.fill('input[name=date]', date);
  await page.fill('input[name=time]', time);
  await page.selectOption('select[name=duration]', String(hours * 60));
  await page.fill('input[name=partySize]', String(partySize));
  await page.click('form.search button[type=submit]');
}

t.test('search, see prices, hold, pay the deposit in the sandbox, see it confirmed, cancel', async (t) => {
  const page = await registered('lin');
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'Chinese by default');
  await search(page, venue.at(3, '20:00'), 4);
  await page.locator('[data-offer]').nth(1).waitFor(WAIT);
  const offers = await page.$$eval('[data-offer]', (els) => els.map((e) => e.getAttribute('data-offer')));
  t.ok(offers.includes('S01') && offers.includes('M01') && !offers.includes('S03'), 'the rooms big enough for four');
  t.match(await page.textContent('[data-offer="S01"] .price'), /^¥\d+/, 'with prices');
  await shot(page, '1-search');

  await page.click('[data-offer="S01"] [data-action=hold]');
  await page.waitForSelector('[data-booking-status=held]', WAIT);
  t.match(await page.textContent('[data-booking-status=held]'), /已保留/);
  await page.click('[data-action=pay]');
  await page.waitForSelector('[data-qr] svg', WAIT);
  await shot(page, '2-pay');
  await page.click('[data-action=sandbox-pay]');
  t.ok(await page.waitForSelector('[data-booking-status=confirmed]', WAIT), 'confirmed once the payment completes');

  await page.click('[data-action=cancel]');
  t.ok(await page.waitForSelector('[data-booking-status=cancelled]', WAIT), 'cancelled');

  await page.click('[data-action=language]');
  await page.waitForSelector('html[lang=en]', { state: 'attached', ...WAIT });
  t.match(await page.textContent('[data-booking-status]'), /Cancelled/, 'English on the toggle');
  await page.click('[data-action=language]');
});

t.test('nothing fits: join the waitlist, see the place in line, and the offer when the room frees up', async (t) => {
  // Only L01 takes fifteen; someone else holds it.
  const at = venue.at(4, '20:00');
  const [L01] = venue.rooms.large as [string];
  const other = await app.inject({
    method: 'POST',
    url: '/bookings',
    headers: venue.manager.auth,
    payload: { roomId: L01, start: at.toISOString(), durationMinutes: 120, partySize: 15, guestName: 'Other', guestPhone: '13800000000' },
  });
  t.equal(other.statusCode, 201);
  const page = await registered('wang');
  await search(page, at, 15);
  await page.waitForSelector('[data-action=join-waitlist]', WAIT);
  await page.click('[data-action=join-waitlist]');
  t.ok(await page.waitForSelector('[data-waitlist-status=waiting]', WAIT));
  t.match(await page.textContent('[data-waitlist-status]'), /第 1 位/);

  const cancelled = await app.inject({
    method: 'POST',
    url: `/bookings/${other.json<{ id: string }>().id}/cancel`,
    headers: venue.manager.auth,
  });
  t.equal(cancelled.statusCode, 200);
  await runner.catchUp();
  t.equal(await offerWaitingGuests(platform), 1);
  t.ok(await page.waitForSelector('[data-waitlist-status=offered]', WAIT), 'the offer arrives on the stream');
  t.ok(await page.waitForSelector('[data-booking-status=held]', WAIT), 'then the booking held in the guest’s name, ready to pay');
});

t.test('a busy night: the queue position, then the outcome pushed on the guest stream', async (t) => {
  const at = venue.at(5, '21:00');
  const release = await app.inject({
    method: 'PUT',
    url: `/releases/${businessDateOf(at, demoVenue)}`,
    headers: venue.manager.auth,
    payload: { opensAt: new Date().toISOString() },
  });
  t.equal(release.statusCode, 200, 'the date opened for booking a moment ago: holds on it are queued');
  const page = await registered('zhao');
  await search(page, at, 2);
  await page.waitForSelector('[data-offer="S03"]', WAIT);
  await page.click('[data-offer="S03"] [data-action=hold]');
  t.ok(await page.waitForSelector('[data-queue-position="1"]', WAIT), 'first in line, shown while it waits');
  await shot(page, '3-queue');
  await page.reload();
  t.ok(await page.waitForSelector('[data-queue-position="1"]', WAIT), 'a reload still shows the place in line');
  // The worker starts only now, so the page is seen waiting first.
  await platform.admission.start(features.admissionWorker(platform));
  t.ok(await page.waitForSelector('[data-booking-status=held]', WAIT), 'the outcome arrives: the room is held');
  await shot(page, '4-held');
});
