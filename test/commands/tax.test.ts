import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { demoVenue } from '../../src/root/demo/rate-card.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { addDays } from '../../domain/venue/time.js';

const { app, platform, runner } = await startTestService(t);
// The bill is a walk-in's, for the hour from now.
const dayEnd = dayEndFarFromNow();
const venue = await setUpVenue(app, platform, { vatRatePercent: 6, ...dayEnd });
const { manager, waiter } = venue;
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });

t.test('a venue charging 6 % VAT: the bill says how much tax it holds, the ledger owes it, revenue reports it', async (t) => {
  await runner.catchUp();
  const settings = await call(app, { method: 'GET', url: '/venue', headers: manager.auth });
  t.equal(settings.body.vatRatePercent, 6);
  const beer = (await post('/products', manager.auth, { name: 'Beer', category: 'drinks', price: 1500, stock: 50 })).body.id as string;
  const walkIn = await post('/walk-ins', waiter.auth, { roomId: venue.rooms.small[0], durationMinutes: 60, partySize: 2 });
  const booking = walkIn.body.id as string;
  await post(`/bookings/${booking}/orders`, waiter.auth, { items: [{ productId: beer, quantity: 3 }] });
  const out = await post(`/bookings/${booking}/check-out`, waiter.auth, { settlement: 'card' });
  t.equal(out.status, 200, out.raw);
  const { total } = out.body.bill as { total: number };
  const tax = Math.round((total * 6) / 106);
  t.same(out.body.bill.tax, { ratePercent: 6, amount: tax }, 'the VAT inside the total, to the fen');

  await runner.catchUp();
  const today = businessDateOf(new Date(), { ...demoVenue, ...dayEnd });
  const report = await call(app, { method: 'GET', url: `/reports/revenue?from=${today}&to=${addDays(today, 1)}`, headers: manager.auth });
  t.match(report.body, { total, tax, net: total - tax }, 'revenue is what was billed, tax included; net and tax beside it');
  const tb = await call(app, { method: 'GET', url: `/ledger/trial-balance?asOf=${addDays(today, 1)}`, headers: manager.auth });
  t.equal(tb.body.balanced, true);
  t.match(
    (tb.body.accounts as { account: string }[]).find((a) => a.account === '2221'),
    { account: '2221', credit: tax },
    'output VAT is owed to the tax office',
  );
});

t.test('the rate is a venue setting with bounds', async (t) => {
  const bad = await call(app, {
    method: 'PUT',
    url: '/venue',
    headers: manager.auth,
    payload: { ...demoVenue, vatRatePercent: 50 },
  });
  t.equal(bad.status, 422);
  t.equal(bad.body.code, 'validation_failed');
});
