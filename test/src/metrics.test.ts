import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';

/** One sample of /metrics' text, by its name and labels as printed (`name{a="b"}`). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

t.test('business counters: holds, confirmations, payments and revenue, each counted once', async (t) => {
  const { app, platform } = await startTestService(t);
  const venue = await setUpVenue(app, platform, dayEndFarFromNow());
  const guest = await signUp(app, platform.store, 'guest');
  const start = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000).toISOString();
  const hold = async (roomId: string) =>
    call(app, { method: 'POST', url: '/bookings', headers: guest.auth, payload: { roomId, start, durationMinutes: 60, partySize: 2 } });
  const paid = await hold(venue.rooms.small[0]!);
  t.equal(paid.status, 201);
  t.equal((await hold(venue.rooms.small[1]!)).status, 201);

  const started = await call(app, { method: 'POST', url: `/bookings/${paid.body.id}/payments`, headers: guest.auth });
  const { sandboxCompleteUrl, amount } = started.body as { sandboxCompleteUrl: string; amount: number };
  t.ok(amount > 0, `a deposit of ${amount} fen`);
  t.equal((await call(app, { method: 'POST', url: sandboxCompleteUrl })).status, 200);
  t.equal((await call(app, { method: 'POST', url: sandboxCompleteUrl })).status, 200, 'the callback again changes nothing');

  const { raw } = await call(app, { method: 'GET', url: '/metrics' });
  t.equal(sample(raw, 'ktv_holds_total'), 2, 'two holds');
  t.equal(sample(raw, 'ktv_confirmations_total'), 1, 'one confirmation');
  t.equal(sample(raw, 'ktv_hold_expiries_total'), 0, 'no expiry');
  t.equal(sample(raw, 'ktv_payments_total{method="sandbox",purpose="deposit"}'), 1, 'one payment');
  t.equal(sample(raw, 'ktv_revenue_fen_total{method="sandbox",purpose="deposit"}'), amount, 'its amount, in fen');
  t.match(raw, '# HELP ktv_refunds_fen_total', 'refunds are declared');
});
