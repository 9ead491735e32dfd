import t from 'tap';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startTestService } from '../helpers/service.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { signUp } from '../helpers/auth.js';
import { builtPages, chromiumFor, listening, staffPageAs } from '../helpers/browser.js';
import { until } from '../helpers/until.js';

/**
 * A day at the desk's till in Debian's Chromium: a waiter opens a shift with a float, checks a
 * walk-in out in cash with change, tops up a member, splits a second party's bill between the
 * member's balance and cash, and closes the shift with the cash counted;
 * a manager opens the day's close to print. Waits poll the DOM or the API with generous
 * deadlines; nothing is timed.
 */
const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts/staff-till');
const WAIT = { timeout: 30_000 };

const { app, platform, runner } = await startTestService(t, { env: { WEB_DIR: await builtPages(t) } });
const venue = await setUpVenue(app, platform, dayEndFarFromNow());
await runner.start();
t.teardown(() => runner.stop());
const base = await listening(app);
await mkdir(ARTIFACTS, { recursive: true });

const browser = await chromiumFor(t, { width: 1024, height: 900 });

const signedIn = (email: string) => staffPageAs(browser, base, email, WAIT);
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const fen = (yuan: string) => Math.round(Number(yuan) * 100);

/** A walk-in of two in `room`, then the check-out form filled by `fill` and sent: the bill and the change said. */
async function walkInAndCheckOut(desk: Page, room: string, fill: () => Promise<void>) {
  await desk.click(`[data-room="${room}"]`);
  await desk.click('[data-action=walk-in] button[type=submit]');
  await desk.waitForSelector(`[data-room="${room}"][data-state=occupied]`, WAIT);
  await desk.waitForSelector('[data-action=check-out] button[type=submit]', WAIT);
  await fill();
  await desk.click('[data-action=check-out] button[type=submit]');
  const said = (await (await desk.waitForSelector('.sheet [data-result=ok]:has-text("找零")', WAIT)).textContent()) ?? '';
  const [, change = '', total = ''] = /找零 ¥(\d+\.\d\d)[\s\S]*账单 ¥(\d+\.\d\d)/.exec(said) ?? [];
  return { said, total: fen(total), change: fen(change) };
}

t.test('a day at the till: float, a cash check-out with change, a top-up, a split check-out, the count, the daily close', async (t) => {
  const asManager = { authorization: venue.manager.auth.authorization };
  const member = await signUp(app, platform.store, 'guest');
  const desk = await signedIn(venue.waiter.email);

  // 开班 with a ¥500 float.
  await desk.fill('[data-action=open-shift] input[name=openingCash]', '500');
  await desk.click('[data-action=open-shift] button[type=submit]');
  await desk.waitForSelector('[data-till=open][data-expected="50000"]', WAIT);
  t.pass('the shift is open, the drawer expected to hold the float');

  // A walk-in in S01, checked out in cash: the guest hands over ¥1,000 and the page says the change.
  const first = await walkInAndCheckOut(desk, 'S01', () => desk.fill('[data-action=check-out] input[name=cashTendered]', '1000'));
  t.ok(first.total > 0, `the bill is shown (${first.said})`);
  t.equal(first.change, 100_000 - first.total, 'the change is what was tendered less the bill');
  await shot(desk, '1-change');
  await desk.click('.sheet-head button.link');

  // 储值: ¥300 in cash for a member named by id (waiters may not look users up by e-mail).
  await desk.fill('[data-action=top-up] input[name=member]', member.userId);
  await desk.fill('[data-action=top-up] input[name=amount]', '300');
  await desk.click('[data-action=top-up] button[value=top-up]');
  await desk.waitForSelector('[data-balance="30000"]', WAIT);
  t.pass('the balance after the top-up is shown');

  // A second party in S02 splits: ¥50 from the member's balance (less than a room's cheapest hour),
  // the rest in cash, ¥500 tendered.
  const second = await walkInAndCheckOut(desk, 'S02', async () => {
    await desk.selectOption('[data-action=check-out] select[name=method1]', 'stored_value');
    await desk.fill('[data-action=check-out] input[name=amount1]', '50');
    await desk.click('[data-action=check-out] summary');
    await desk.selectOption('[data-action=check-out] select[name=method2]', 'cash');
    await desk.fill('[data-action=check-out] input[name=memberId]', member.userId);
    await desk.fill('[data-action=check-out] input[name=cashTendered]', '500');
  });
  const cashPart = second.total - 5_000;
  t.equal(second.change, 50_000 - cashPart, `the change is on the cash part only (${second.said})`);
  await shot(desk, '2-split');
  await desk.click('.sheet-head button.link');

  // Asking for the balance reads the read model, which may be a moment behind the spend.
  const looked = await until(
    async () => {
      await desk.click('[data-action=top-up] button[value=balance]');
      const shown = await desk.waitForSelector('[data-balance]:has-text("本金")', WAIT);
      return (await shown.getAttribute('data-balance')) === '25000';
    },
    { timeoutMs: 30_000, intervalMs: 300 },
  );
  t.ok(looked, 'asked for, the balance is ¥300 less the ¥50 spent, paid and bonus value apart');

  // The till follows: the float, both bills' cash and the top-up's cash; the stored value apart.
  const cashIn = first.total + 30_000 + cashPart;
  const expected = 50_000 + cashIn;
  await desk.waitForSelector(`[data-till=open][data-expected="${expected}"]`, WAIT);
  t.match(await desk.textContent('[data-taken=cash]'), `¥${(cashIn / 100).toFixed(2)}`, 'cash taken this shift');
  t.match(await desk.textContent('[data-taken=stored_value]'), '¥50.00', 'stored value taken this shift');
  await shot(desk, '3-till');
  // 交班: the counted cash shows the difference as it is typed; zero needs no reason.
  await desk.fill('[data-action=close-shift] input[name=countedCash]', '1');
  await desk.waitForSelector(`[data-action=close-shift] [data-difference="${100 - expected}"]`, WAIT);
  t.ok(await desk.$('[data-action=close-shift] input[name=reason][required]'), 'a difference asks for a reason');
  await desk.fill('[data-action=close-shift] input[name=countedCash]', (expected / 100).toFixed(2));
  await desk.waitForSelector('[data-action=close-shift] [data-difference="0"]', WAIT);
  await desk.fill('[data-action=close-shift] input[name=handedOverCash]', '500');
  await desk.click('[data-action=close-shift] button[type=submit]');
  await desk.waitForSelector('[data-closed][data-difference="0"]', WAIT);
  t.pass('the shift is closed with no difference');
  await shot(desk, '4-closed');

  const shifts = await until(async () => {
    const res = await app.inject({ method: 'GET', url: `/shifts?staffId=${venue.waiter.userId}`, headers: asManager });
    const list = res.json<{ status: string; difference: number | null; countedCash: number | null; handedOverCash: number | null }[]>();
    return list[0]?.status === 'closed' ? list : null;
  });
  t.match(shifts?.[0], { difference: 0, countedCash: expected, handedOverCash: 50_000 }, 'the API agrees');
  const balance = await app.inject({ method: 'GET', url: `/members/${member.userId}/balance`, headers: asManager });
  t.equal(balance.json<{ balance: number }>().balance, 25_000, "the member's balance");

  // 日结: the manager prints the business day's close, the waiter's shift on it.
  const office = await signedIn(venue.manager.email);
  const dated = await until(async () => /^\d{4}-\d\d-\d\d$/.test(await office.inputValue('[data-action=daily-close] input[name=date]')), {
    timeoutMs: 30_000,
  });
  t.ok(dated, 'the business day is filled in');
  const [page] = await Promise.all([office.waitForEvent('popup', WAIT), office.click('[data-action=daily-close] button[value=html]')]);
  await page.waitForSelector('h1:has-text("日结")', WAIT);
  t.match(await page.textContent('body'), /Daily close/, 'the daily close page opens');
  await shot(page, '5-daily-close');
  t.notOk(await desk.$('[data-action=daily-close]'), 'a waiter is not offered the daily close');
});
