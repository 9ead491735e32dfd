import t from 'tap';
import { startTestService } from '../../helpers/service.js';
import { planHistory } from '../../../src/root/demo/history-plan.js';
import { generateHistory } from '../../../src/root/demo/history.js';
import { weekdayOf } from '../../../domain/venue/time.js';
import { readModelsOf } from '../../../projections/read-models.js';

t.test('the plan is a function of the seed, with weekly seasonality and busier holidays', async (t) => {
  const holidays = ['2026-10-01', '2026-10-02'];
  t.same(planHistory(1, 3, 20, '2026-11-20', holidays), planHistory(1, 3, 20, '2026-11-20', holidays), 'same seed, same plan');
  t.notSame(planHistory(2, 3, 20, '2026-11-20', holidays).visits, planHistory(1, 3, 20, '2026-11-20', holidays).visits);

  const big = planHistory(7, 84, 500, '2026-11-20', holidays);
  const on = (pred: (date: string) => boolean) => big.visits.filter((v) => pred(v.businessDate)).length;
  const saturdays = on((d) => weekdayOf(d) === 6 && !holidays.includes(d));
  const tuesdays = on((d) => weekdayOf(d) === 2 && !holidays.includes(d));
  t.ok(saturdays > 2 * tuesdays, `Saturdays (${saturdays}) draw more than twice Tuesdays (${tuesdays})`);
  // 2026-10-01 is a Thursday: compare with the average Thursday.
  const thursdays = big.dates.filter((d) => weekdayOf(d) === 4 && !holidays.includes(d)).length;
  t.ok(on((d) => d === '2026-10-01') > (1.5 * on((d) => weekdayOf(d) === 4 && !holidays.includes(d))) / thursdays, 'a holiday draws more');
  const evening = big.visits.filter((v) => v.startMinute >= 19 * 60 && v.startMinute <= 21 * 60 + 30).length;
  const morning = big.visits.filter((v) => v.startMinute >= 6 * 60 && v.startMinute < 12 * 60).length;
  t.ok(evening > 5 * morning, 'evenings, not mornings');
  // Stable preferences: most of a guest's visits are in their own room type.
  const own = big.visits.filter((v) => v.roomTypeId === big.guests[v.guest]!.roomTypeId).length;
  t.ok(own / big.visits.length > 0.65, 'guests mostly book their own kind of room');
});

t.test('played through the real commands, the same seed gives the same history', async (t) => {
  const reports = [];
  for (let run = 0; run < 2; run++) {
    const { platform, runner } = await startTestService(t);
    const report = await generateHistory(platform, { days: 7, guests: 10, seed: 1 });
    t.ok(report, 'played');
    reports.push(report!);
    await runner.catchUp();
    const rows = await readModelsOf(platform.pool).selectFrom('bookings').select('status').execute();
    const statuses = new Set(rows.map((r) => r.status));
    t.ok(statuses.has('checked_out'), 'stays were checked out');
    t.notOk(
      Object.keys(report!.counts).some((k) => /^(searches|clicks) refused/.test(k)),
      'every search and click was accepted',
    );
    t.ok(rows.length >= (report!.counts.holds ?? 0), 'every hold is a booking in the read model');
    t.equal(await generateHistory(platform, { days: 7, guests: 10, seed: 1 }), null, 'a second run of the seed does nothing');
  }
  t.same(reports[0]!.outcomes, reports[1]!.outcomes, 'the same visits had the same outcomes in the same rooms');
  t.same(reports[0]!.counts, reports[1]!.counts);
  t.ok(reports[0]!.outcomes.length > 0);
});
