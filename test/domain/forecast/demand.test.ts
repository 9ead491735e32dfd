import t from 'tap';
import { businessHours, dayKindOf, forecastDay, heatOf, observe, slotsOf, type DayObservation } from '../../../domain/forecast/demand.js';
import { addDays, weekdayOf } from '../../../domain/venue/time.js';
import { DEFAULT_VENUE } from '../../../domain/venue/settings.js';
import { seeded } from '../../../src/root/demo/random.js';

// Business day from 06:00: slot 0 is 06:00, slot 9 is 15:00, slot 15 is 21:00.
const SLOT_15H = 9;
const SLOT_21H = 15;

/**
 * Ten weeks of history with a planted pattern: evenings busier than afternoons,
 * weekends busier than weekdays, and one holiday (a Wednesday) as busy as a
 * Saturday night; plus noise.
 */
function history(from: string, days: number, holidays: readonly string[], seed = 1): DayObservation[] {
  const rnd = seeded(seed).next;
  return Array.from({ length: days }, (_, i) => {
    const date = addDays(from, i);
    const weekday = weekdayOf(date);
    const weekend = weekday === 5 || weekday === 6 || holidays.includes(date);
    const hours = Array.from({ length: 24 }, (_, slot) => {
      const evening = slot >= 12 && slot <= 18 ? 1 : 0.2;
      const base = (weekend ? 5 : 1.5) * evening;
      return Math.max(0, Math.round(base + (rnd() - 0.5) * 2));
    });
    return { date, hours };
  });
}

t.test('the planted weekly and daily pattern is found: Saturday 21:00 is hotter than Tuesday 15:00', async (t) => {
  const obs = history('2026-09-01', 70, []);
  const saturday = '2026-11-14';
  const tuesday = '2026-11-10';
  t.equal(weekdayOf(saturday), 6);
  t.equal(weekdayOf(tuesday), 2);
  const sat = forecastDay(saturday, obs, []);
  const tue = forecastDay(tuesday, obs, []);
  t.same(sat.basis, { kind: 'weekday', weekday: 6 });
  t.equal(sat.daysUsed, 8, 'eight Saturdays in the eight-week window');
  t.ok(sat.expected[SLOT_21H]! > 4 && sat.expected[SLOT_21H]! < 6, `Saturday 21:00 ≈ 5 (${sat.expected[SLOT_21H]})`);
  t.ok(tue.expected[SLOT_15H]! < 1, `Tuesday 15:00 is quiet (${tue.expected[SLOT_15H]})`);
  t.ok(heatOf(sat.expected[SLOT_21H]!, 6) > 0.7 && heatOf(tue.expected[SLOT_15H]!, 6) < 0.3, 'heat bands as the price rule reads them');
});

t.test('holidays and eves: own history when there is some, Saturday and Friday otherwise; kept out of weekdays', async (t) => {
  const pastHoliday = '2026-10-07'; // a Wednesday
  const nextHoliday = '2026-11-18'; // also a Wednesday
  const holidays = [pastHoliday, nextHoliday];
  const obs = history('2026-09-01', 78, holidays);
  const holiday = forecastDay(nextHoliday, obs, holidays);
  t.same(holiday.basis, { kind: 'holiday' });
  t.equal(holiday.daysUsed, 1);
  const wednesday = forecastDay('2026-11-11', obs, holidays);
  t.ok(holiday.expected[SLOT_21H]! > 2 * wednesday.expected[SLOT_21H]!, 'a holiday Wednesday is busier than a plain one');
  t.equal(wednesday.daysUsed, 7, 'the holiday is not one of the Wednesdays averaged');

  t.same(dayKindOf('2026-11-17', holidays), { kind: 'eve' });
  const eve = forecastDay('2026-11-17', obs, holidays);
  t.same(eve.basis, { kind: 'eve' }, "the past holiday's eve is the eve's history");
  t.equal(eve.daysUsed, 1);
  const firstEve = forecastDay('2026-12-24', history('2026-11-01', 50, []), ['2026-12-25']);
  t.same(firstEve.basis, { kind: 'weekday', weekday: 5 }, 'no eve in history: Friday stands in');
  const firstHoliday = forecastDay('2026-12-25', history('2026-11-01', 50, []), ['2026-12-25']);
  t.same(firstHoliday.basis, { kind: 'weekday', weekday: 6 }, 'no holiday in history: Saturday stands in');
});

t.test('recent weeks weigh more (the trend), and no date at or after the target is used', async (t) => {
  const flat = (date: string, n: number): DayObservation => ({ date, hours: new Array<number>(24).fill(n) });
  // Eight Saturdays: four old ones at 2, four recent ones at 6.
  const saturdays = Array.from({ length: 8 }, (_, i) => flat(addDays('2026-09-19', 7 * i), i < 4 ? 2 : 6));
  const f = forecastDay('2026-11-14', [...saturdays, flat('2026-11-14', 100), flat('2026-11-21', 100)], []);
  t.equal(f.daysUsed, 8);
  t.ok(f.expected[0]! > 4 && f.expected[0]! < 6, `weighted towards the recent level (${f.expected[0]})`);
  t.same(forecastDay('2026-11-14', [], []).expected, new Array<number>(24).fill(0), 'no history: nothing expected');
});

t.test('stays become hour slots of their business day; quiet days are zeros', async (t) => {
  const v = DEFAULT_VENUE;
  const at = (s: string) => new Date(`${s}+08:00`);
  const dayStart = at('2026-11-14T06:00:00');
  t.same(slotsOf(at('2026-11-14T20:00:00'), at('2026-11-14T23:00:00'), dayStart), [14, 15, 16]);
  t.same(slotsOf(at('2026-11-14T20:30:00'), at('2026-11-14T21:15:00'), dayStart), [14, 15], 'a partial hour counts');
  t.same(slotsOf(at('2026-11-15T04:00:00'), at('2026-11-15T08:00:00'), dayStart), [22, 23], 'clamped to the business day');
  const obs = observe(
    [{ businessDate: '2026-11-14', start: at('2026-11-15T01:00:00'), end: at('2026-11-15T02:00:00') }],
    '2026-11-13',
    '2026-11-14',
    v,
  );
  t.same(
    obs.map((o) => o.date),
    ['2026-11-13', '2026-11-14'],
  );
  t.equal(
    obs[0]!.hours.reduce((a, b) => a + b, 0),
    0,
  );
  t.equal(obs[1]!.hours[19], 1, '01:00 is the 20th hour of a business day that starts at 06:00');
  t.same(businessHours(v).slice(0, 3), [6, 7, 8]);
  t.same(businessHours(v).slice(-2), [4, 5]);
});

t.test('lead time: what is on the books plus what days of the kind still gained after that lead', async (t) => {
  const day = 86_400_000;
  // Four Saturdays, 4 stays each at slot 14: two booked three days ahead, two on the day.
  const saturdays: DayObservation[] = Array.from({ length: 4 }, (_, i) => ({
    date: addDays('2026-10-24', 7 * i),
    hours: Array.from({ length: 24 }, (_, h) => (h === 14 ? 4 : 0)),
    leads: Array.from({ length: 24 }, (_, h) => (h === 14 ? [3 * day, 3 * day, -3_600_000, -7_200_000] : [])),
  }));
  const plain = forecastDay('2026-11-21', saturdays, []);
  t.equal(plain.expected[14], 4, 'no books given: the seasonal average');
  t.equal(plain.leadMs, null);
  const booked = (n: number, leadMs: number) => ({ leadMs, hours: Array.from({ length: 24 }, (_, h) => (h === 14 ? n : 0)) });
  const busy = forecastDay('2026-11-21', saturdays, [], { onBooks: booked(5, day) });
  t.equal(busy.expected[14], 7, 'a day ahead: 5 on the books + the 2 usually booked on the day');
  t.equal(busy.leadMs, day);
  t.equal(forecastDay('2026-11-21', saturdays, [], { onBooks: booked(0, 5 * day) }).expected[14], 4, 'far ahead: the average');
  t.equal(forecastDay('2026-11-21', saturdays, [], { onBooks: booked(1, day) }).expected[14], 3, 'a slow book forecasts below the average');
  const noLeads = saturdays.map(({ date, hours }) => ({ date, hours }));
  t.equal(forecastDay('2026-11-21', noLeads, [], { onBooks: booked(5, day) }).expected[14], 4, 'history without leads: the average');
});

t.test('weather is optional: none by default; given, what is to come scales by how days in that weather went', async (t) => {
  const flat = (date: string, n: number): DayObservation => ({ date, hours: new Array<number>(24).fill(n) });
  const saturdays = Array.from({ length: 8 }, (_, i) => flat(addDays('2026-09-26', 7 * i), i % 2 === 0 ? 2 : 4));
  const rainy = new Set(saturdays.filter((_, i) => i % 2 === 0).map((d) => d.date));
  const weather = (date: string) => (date === '2026-11-21' || rainy.has(date) ? 'rain' : 'clear');
  t.equal(forecastDay('2026-11-21', saturdays, []).weather, null);
  const wet = forecastDay('2026-11-21', saturdays, [], { weather });
  t.same(wet.weather, { condition: 'rain', factor: 0.667 }, 'rainy Saturdays had 2 where all had 3 on average');
  const plain = forecastDay('2026-11-21', saturdays, []).expected[0]!;
  t.ok(Math.abs(wet.expected[0]! - plain * 0.667) < 1e-9);
  t.same(forecastDay('2026-11-21', saturdays, [], { weather: () => null }).weather, null, 'an unknown condition changes nothing');
  t.same(
    forecastDay('2026-11-21', saturdays, [], { weather: (d) => (d === '2026-11-21' ? 'snow' : 'clear') }).weather,
    {
      condition: 'snow',
      factor: 1,
    },
    'a condition with too few days of history changes nothing',
  );
});
