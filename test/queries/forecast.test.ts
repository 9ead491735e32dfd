import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { recordPastStay } from '../helpers/past-stays.js';
import { demoVenue } from '../../src/root/demo/rate-card.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { addDays, instantOf, weekdayOf } from '../../domain/venue/time.js';

const { app, runner, platform } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const guest = await signUp(app, platform.store, 'guest');
const today = businessDateOf(new Date(), demoVenue);
const tz = demoVenue.timeZone;

/** The last `n` business dates before today that fall on `weekday`. */
function pastDates(weekday: number, n: number): string[] {
  const dates: string[] = [];
  for (let d = addDays(today, -1); dates.length < n; d = addDays(d, -1)) if (weekdayOf(d) === weekday) dates.push(d);
  return dates;
}

/** A paid stay of a small room, `hours` from the local time `from` on a business date. */
const pastStay = (roomId: string, date: string, from: string, hours: number) => {
  const [h, m] = from.split(':').map(Number) as [number, number];
  return recordPastStay(platform.store, { roomId, roomTypeId: 'small', businessDate: date, start: instantOf(date, h * 60 + m, tz), hours });
};

t.test('the forecast finds the history: every small room on Saturday evenings, one on Tuesday afternoons', async (t) => {
  for (const date of pastDates(6, 4)) for (const room of venue.rooms.small) await pastStay(room, date, '20:00', 3);
  for (const date of pastDates(2, 4)) await pastStay(venue.rooms.small[0]!, date, '14:00', 1);
  await runner.catchUp();

  let saturday = addDays(today, 1);
  while (weekdayOf(saturday) !== 6) saturday = addDays(saturday, 1);
  const res = await call(app, { method: 'GET', url: `/forecast?date=${saturday}&type=small`, headers: venue.manager.auth });
  t.equal(res.status, 200);
  t.equal(res.body.date, saturday);
  t.equal(res.body.type, 'small');
  t.equal(res.body.hours.length, 24);
  t.same(
    res.body.hours.map((h: { hour: number }) => h.hour),
    [...Array.from({ length: 18 }, (_, i) => i + 6), 0, 1, 2, 3, 4, 5],
    'business-day order from 06:00',
  );
  const hour = (body: { hours: { hour: number; heat: number; expectedBookings: number }[] }, h: number) =>
    body.hours.find((x) => x.hour === h)!;
  t.same(hour(res.body, 21), { hour: 21, heat: 1, expectedBookings: 3 }, 'all three small rooms, every Saturday at 21:00');
  t.same(hour(res.body, 15), { hour: 15, heat: 0, expectedBookings: 0 });
  t.equal(res.body.model.basis, '6');
  t.equal(res.body.model.rooms, 3);

  let tuesday = addDays(today, 1);
  while (weekdayOf(tuesday) !== 2) tuesday = addDays(tuesday, 1);
  const tue = await call(app, { method: 'GET', url: `/forecast?date=${tuesday}&type=small`, headers: venue.manager.auth });
  t.same(hour(tue.body, 14), { hour: 14, heat: 0.333, expectedBookings: 1 });
  t.ok(hour(res.body, 21).heat > hour(tue.body, 15).heat, 'Saturday 21:00 is hotter than Tuesday 15:00');

  const medium = await call(app, { method: 'GET', url: `/forecast?date=${saturday}&type=medium`, headers: venue.manager.auth });
  t.equal(medium.status, 200);
  t.ok(
    medium.body.hours.every((h: { heat: number }) => h.heat === 0),
    'no medium history: no heat',
  );
});

t.test('type is required, an unknown type is 404, a bad date 422, and only managers and admins may ask', async (t) => {
  const ask = (query: string, auth = venue.manager.auth) => call(app, { method: 'GET', url: `/forecast${query}`, headers: auth });
  t.equal((await ask(`?date=${today}`)).status, 422);
  const unknown = await ask(`?date=${today}&type=karaoke_palace`);
  t.equal(unknown.status, 404);
  t.equal(unknown.body.code, 'not_found');
  t.equal((await ask('?date=2026-02-30&type=small')).status, 422);
  t.equal((await ask('?date=tomorrow&type=small')).status, 422);
  t.equal((await ask(`?date=${today}&type=small`, guest.auth)).status, 403);
  t.equal((await ask(`?date=${today}&type=small`, venue.waiter.auth)).status, 403);
});

t.test('lead time: bookings already on the books for a coming date raise its forecast', async (t) => {
  // The earlier test left one small room taken on Tuesday afternoons, each booked on the day.
  let tuesday = addDays(today, 1);
  while (weekdayOf(tuesday) !== 2) tuesday = addDays(tuesday, 1);
  const hourOf = async (h: number) => {
    const res = await call(app, { method: 'GET', url: `/forecast?date=${tuesday}&type=small`, headers: venue.manager.auth });
    return { hour: res.body.hours.find((x: { hour: number }) => x.hour === h), model: res.body.model };
  };
  const before = await hourOf(14);
  t.same(before.hour, { hour: 14, heat: 0.333, expectedBookings: 1 });
  t.ok(before.model.leadHours > 0, 'counted ahead of the day');
  t.equal(before.model.weather, null, 'no weather input by default');
  for (const roomId of venue.rooms.small.slice(0, 2)) {
    const res = await call(app, {
      method: 'POST',
      url: '/bookings',
      headers: guest.auth,
      payload: { roomId, start: instantOf(tuesday, 14 * 60, tz).toISOString(), durationMinutes: 60, partySize: 2 },
    });
    t.equal(res.status, 201);
  }
  await runner.catchUp();
  const after = await hourOf(14);
  t.same(after.hour, { hour: 14, heat: 1, expectedBookings: 3 }, 'two on the books + the one usually booked on the day');
});
