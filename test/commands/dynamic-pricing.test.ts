import t from 'tap';
import { randomUUID } from 'node:crypto';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { recordPastStay } from '../helpers/past-stays.js';
import { BUSINESS_DATE, checkedIn, checkedOut, confirmed, held, price } from '../projections/fixtures.js';
import { demoRateCard, demoVenue } from '../../src/root/demo/rate-card.js';
import { bookingStream } from '../../src/events/bookings.js';
import { DEFAULT_DYNAMIC_RULE } from '../../domain/pricing/dynamic.js';
import { FORECAST_MODEL_VERSION } from '../../domain/forecast/demand.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { addDays, instantOf, weekdayOf } from '../../domain/venue/time.js';

const { app, runner, platform } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const guest = await signUp(app, platform.store, 'guest');
const today = businessDateOf(new Date(), demoVenue);
const tz = demoVenue.timeZone;

// History: every small room taken on the last four Saturday evenings, no medium room ever.
for (let d = addDays(today, -1), n = 0; n < 4; d = addDays(d, -1)) {
  if (weekdayOf(d) !== 6) continue;
  n++;
  for (const roomId of venue.rooms.small)
    await recordPastStay(platform.store, { roomId, roomTypeId: 'small', businessDate: d, start: instantOf(d, 20 * 60, tz), hours: 3 });
}
let saturday = addDays(today, 1);
while (weekdayOf(saturday) !== 6) saturday = addDays(saturday, 1);
const start = instantOf(saturday, 20 * 60, tz).toISOString();

const manager = venue.manager.auth;
const hold = (roomId: string, auth = guest.auth) =>
  call(app, { method: 'POST', url: '/bookings', headers: auth, payload: { roomId, start, durationMinutes: 180, partySize: 2 } });
const quoteOf = (roomId: string, auth = guest.auth) =>
  call(app, { method: 'GET', url: `/quote?roomId=${roomId}&start=${encodeURIComponent(start)}&durationMinutes=180`, headers: auth });

t.test('without a rule on the card, prices are the card’s own and record no dynamic part', async (t) => {
  await runner.catchUp();
  const q = await quoteOf(venue.rooms.small[0]!);
  t.equal(q.status, 200);
  t.equal(q.body.dynamic, null);
});

t.test('a card with the rule and a recorded forecast: busy hours dearer, quiet ones cheaper, as quoted', async (t) => {
  t.equal(
    (await call(app, { method: 'POST', url: '/rate-cards', headers: manager, payload: { ...demoRateCard, dynamic: DEFAULT_DYNAMIC_RULE } }))
      .status,
    201,
  );
  const bad = { ...DEFAULT_DYNAMIC_RULE, bands: [{ fromHeat: 0.2, fromMultiplier: 1, toMultiplier: 1 }] };
  t.equal(
    (await call(app, { method: 'POST', url: '/rate-cards', headers: manager, payload: { ...demoRateCard, dynamic: bad } })).status,
    422,
  );
  await runner.catchUp();
  t.match((await quoteOf(venue.rooms.small[0]!)).body.dynamic, { status: 'no_forecast', heat: null, multiplier: 1, uplift: 0 });

  t.equal((await call(app, { method: 'POST', url: '/forecast/snapshots', headers: venue.waiter.auth })).status, 403);
  const snap = await call(app, { method: 'POST', url: '/forecast/snapshots', headers: manager });
  t.equal(snap.status, 201);
  t.ok(snap.body.dates.includes(saturday));
  await runner.catchUp();

  const q = await quoteOf(venue.rooms.small[0]!);
  t.match(q.body.dynamic, { status: 'applied', heat: 1, multiplier: 1.25, modelVersion: FORECAST_MODEL_VERSION });
  const base = q.body.dynamic.baseTotal as number;
  t.equal(q.body.total % 100, 0, 'whole yuan');
  t.equal(q.body.total, Math.round((base * 1.25) / 100) * 100);
  t.equal(q.body.dynamic.uplift, q.body.total - base);

  const offers = await call(app, {
    method: 'GET',
    url: `/availability?start=${encodeURIComponent(start)}&durationMinutes=180&partySize=2&type=small`,
    headers: guest.auth,
  });
  t.equal(offers.status, 200);
  const offer = offers.body.find((o: { roomId: string }) => o.roomId === venue.rooms.small[0]);
  t.same(offer.price, {
    total: q.body.total,
    currency: 'CNY',
    dynamic: {
      status: 'applied',
      heat: 1,
      multiplier: 1.25,
      modelVersion: FORECAST_MODEL_VERSION,
      baseTotal: base,
      uplift: q.body.dynamic.uplift,
    },
  });

  const held = await hold(venue.rooms.small[0]!);
  t.equal(held.status, 201);
  t.equal(held.body.price.total, q.body.total, 'the hold gets the price quoted');
  t.match(held.body.price.dynamic, { status: 'applied', heat: 1, multiplier: 1.25 });
  const { events } = await platform.store.readStream(bookingStream(held.body.id));
  t.equal(events[0]?.schemaVersion, 2, 'recorded at the new schema version');
  t.match((events[0]?.data as { price: unknown }).price, { dynamic: { status: 'applied', heat: 1, multiplier: 1.25, forecastAt: String } });

  const quiet = await hold(venue.rooms.medium[0]!);
  t.match(quiet.body.price.dynamic, { status: 'applied', heat: 0, multiplier: 0.9 });
  t.ok(quiet.body.price.dynamic.uplift < 0, 'a quiet hour is cheaper than the card');
});

t.test('the kill switch: every hold at the card’s price at once; managers only', async (t) => {
  const off = { method: 'PUT' as const, url: '/pricing/dynamic', payload: { enabled: false } };
  t.equal((await call(app, { ...off, headers: guest.auth })).status, 403);
  const res = await call(app, { ...off, headers: manager });
  t.same(res.body, { enabled: false, experimentId: null });
  const h = await hold(venue.rooms.small[1]!);
  t.match(h.body.price.dynamic, { status: 'switched_off', heat: 1, multiplier: 1, uplift: 0 });
  t.equal(h.body.price.total, h.body.price.dynamic.baseTotal);
  await runner.catchUp();
  t.match((await quoteOf(venue.rooms.small[2]!)).body.dynamic, { status: 'switched_off' });
});

t.test('an experiment on dynamic pricing: its off arm keeps the card’s price, a guest stays in one arm', async (t) => {
  const x = await call(app, {
    method: 'POST',
    url: '/experiments',
    headers: manager,
    payload: {
      name: 'dynamic prices',
      subject: 'dynamic_pricing',
      arms: [
        { name: 'on', weight: 1 },
        { name: 'off', weight: 1 },
      ],
    },
  });
  const id = x.body.id as string;
  const other = await call(app, {
    method: 'POST',
    url: '/experiments',
    headers: manager,
    payload: { name: 'recs', arms: [{ name: 'a', weight: 1 }] },
  });
  const set = (experimentId: string) =>
    call(app, { method: 'PUT', url: '/pricing/dynamic', headers: manager, payload: { enabled: true, experimentId } });
  t.equal((await set(other.body.id)).status, 422, 'not an experiment on dynamic pricing');
  t.equal((await set('nope')).status, 422);
  t.same((await set(id)).body, { enabled: true, experimentId: id });

  const guests: Record<string, Awaited<ReturnType<typeof signUp>>> = {};
  while (!guests.on || !guests.off) {
    const g = await signUp(app, platform.store, 'guest');
    const arm = (await call(app, { method: 'GET', url: `/experiments/${id}/assignment?userId=${g.userId}`, headers: manager })).body.arm;
    guests[arm] ??= g;
  }
  const offHold = await hold(venue.rooms.small[2]!, guests.off.auth);
  t.match(offHold.body.price.dynamic, { status: 'off_arm', multiplier: 1, uplift: 0 });
  const onHold = await hold(venue.rooms.large[0]!, guests.on.auth);
  t.match(onHold.body.price.dynamic, { status: 'applied' });
  const { events } = await platform.store.readStream(bookingStream(offHold.body.id));
  t.match((events[0]?.data as { price: unknown }).price, { dynamic: { experiment: { id, arm: 'off' } } });

  await runner.catchUp();
  const report = await call(app, { method: 'GET', url: `/reports/dynamic-pricing?from=${saturday}&to=${saturday}`, headers: manager });
  t.equal(report.status, 200);
  const row = (arm: string | null, status: string) =>
    report.body.rows.find((r: { arm: string | null; status: string }) => r.arm === arm && r.status === status);
  t.match(row(null, 'applied'), { bookings: 2, paid: 0 });
  t.match(row(null, 'switched_off'), { bookings: 1, uplift: 0 });
  t.match(row('off', 'off_arm'), { bookings: 1, uplift: 0 });
  t.match(row('on', 'applied'), { bookings: 1 });
  t.equal((await call(app, { method: 'GET', url: `/reports/dynamic-pricing?from=${saturday}&to=${today}`, headers: manager })).status, 422);
});

t.test('revenue splits the base from the dynamic uplift of the bookings sold', async (t) => {
  const bookingId = randomUUID();
  const dynamicPrice = {
    ...price(30000, 9000),
    dynamic: {
      status: 'applied' as const,
      heat: 0.9,
      multiplier: 1.2,
      modelVersion: 1,
      forecastAt: null,
      experiment: null,
      baseTotal: 25000,
      uplift: 5000,
    },
  };
  await platform.store.appendToStream(
    bookingStream(bookingId),
    [
      held({ bookingId, price: dynamicPrice }),
      confirmed(9000, '19:05', bookingId),
      checkedIn('19:55', bookingId),
      checkedOut(30000, 9000, undefined, bookingId),
    ].map((e) => ({ id: randomUUID(), ...e })),
    'no_stream',
  );
  await runner.catchUp();
  const res = await call(app, { method: 'GET', url: `/reports/revenue?from=${BUSINESS_DATE}&to=${BUSINESS_DATE}`, headers: manager });
  t.equal(res.status, 200);
  t.equal(res.body.total, 30000);
  t.equal(res.body.dynamicUplift, 5000);
  t.equal(res.body.baseRevenue, 25000);
  t.match(res.body.rows, [{ key: BUSINESS_DATE, revenue: 30000, baseRevenue: 25000, dynamicUplift: 5000 }]);
});

t.test('a hold recorded before dynamic pricing reads back with no dynamic part', async (t) => {
  const bookingId = randomUUID();
  const { dynamic: _gone, ...oldPrice } = price(30000, 9000);
  const old = held({ bookingId });
  await platform.store.appendToStream(
    bookingStream(bookingId),
    [{ id: randomUUID(), type: old.type, schemaVersion: 1, data: { ...old.data, price: oldPrice } }],
    'no_stream',
  );
  const { events } = await platform.store.readStream(bookingStream(bookingId));
  t.equal(events[0]?.schemaVersion, 2);
  t.equal((events[0]?.data as { price: { dynamic: unknown } }).price.dynamic, null);
});
