import t from 'tap';
import { DEFAULT_DYNAMIC_RULE, decideDynamic, dynamicSubtotal, multiplierAt, stayHeat } from '../../../domain/pricing/dynamic.js';
import { quote } from '../../../domain/pricing/quote.js';
import { demoRateCard, demoVenue } from '../../../src/root/demo/rate-card.js';
import { instantOf } from '../../../domain/venue/time.js';

const rule = DEFAULT_DYNAMIC_RULE;

t.test("the seed's bands: quiet −10 %, normal the card, busy +15 % rising to +25 %", async (t) => {
  const cases: [number, number][] = [
    [0, 0.9],
    [0.29, 0.9],
    [0.3, 1],
    [0.5, 1],
    [0.69, 1],
    [0.7, 1.15],
    [0.85, 1.2],
    [1, 1.25],
  ];
  for (const [heat, m] of cases) t.equal(multiplierAt(rule, heat), m, `heat ${heat}`);
});

t.test("the manager's floor and ceiling bound the multiplier whatever the bands say", async (t) => {
  const tight = { ...rule, floor: 0.95, ceiling: 1.1 };
  t.equal(multiplierAt(tight, 0), 0.95);
  t.equal(multiplierAt(tight, 1), 1.1);
  t.equal(multiplierAt(tight, 0.5), 1);
});

t.test('dynamic prices are whole yuan, within the bounds after rounding; multiplier 1 changes nothing', async (t) => {
  t.equal(dynamicSubtotal(17950, 1, rule), 17950, 'the base band keeps the card price to the fen');
  t.equal(dynamicSubtotal(17950, 1.25, rule), 22400, '224.375 yuan rounds to 224');
  t.equal(dynamicSubtotal(17950, 0.9, rule), 16200, '161.55 yuan rounds to 162');
  t.equal(dynamicSubtotal(10050, 0.9, rule), 9100, '90.45 rounds to 90, under the floor 90.45: up to 91');
  t.equal(dynamicSubtotal(10050, 1.25, rule), 12500, '125.625 rounds to 126, over the ceiling 125.625: down to 125');
});

const venue = { ...demoVenue, holidays: [] };
const date = '2026-12-12';
const start = instantOf(date, 20 * 60, venue.timeZone);
const end = instantOf(date, 23 * 60, venue.timeZone);
/** Heat by business-day hour from 06:00: 20:00 is slot 14. */
const hours = Array.from({ length: 24 }, (_, i) => (i === 14 ? 1 : i === 15 ? 0.8 : i === 16 ? 0.6 : 0));
const snapshot = { modelVersion: 1, heat: { small: hours }, at: '2026-12-11T20:45:00.000Z' };
const stay = { roomTypeId: 'small', start, end, businessDate: date, venue };

t.test("a stay's heat is the mean of the hours it covers", async (t) => {
  t.equal(stayHeat(hours, start, end, date, venue), 0.8);
});

t.test('the decision records heat, model and why it did or did not apply', async (t) => {
  const on = decideDynamic(rule, { ...stay, enabled: true, snapshot, experiment: null });
  t.same(on, { status: 'applied', multiplier: 1.1833, heat: 0.8, modelVersion: 1, forecastAt: snapshot.at, experiment: null });
  t.match(decideDynamic(rule, { ...stay, enabled: false, snapshot, experiment: null }), {
    status: 'switched_off',
    multiplier: 1,
    heat: 0.8,
  });
  t.match(decideDynamic(rule, { ...stay, enabled: true, snapshot: null, experiment: null }), {
    status: 'no_forecast',
    multiplier: 1,
    heat: null,
  });
  t.match(decideDynamic(rule, { ...stay, roomTypeId: 'party', enabled: true, snapshot, experiment: null }), { status: 'no_forecast' });
  const off = { id: 'x-1', arm: 'off' };
  t.match(decideDynamic(rule, { ...stay, enabled: true, snapshot, experiment: off }), {
    status: 'off_arm',
    multiplier: 1,
    experiment: off,
  });
  t.match(decideDynamic(rule, { ...stay, enabled: true, snapshot, experiment: { id: 'x-1', arm: 'on' } }), { status: 'applied' });
});

t.test('quote: the multiplier goes on the room price before the member discount, and the uplift is recorded', async (t) => {
  const card = { ...demoRateCard, version: 7, dynamic: rule };
  const input = { roomTypeId: 'small', start, minutes: 180, memberLevel: 'gold' as const };
  const base = quote(card, venue, input);
  t.equal(base.dynamic, null, 'no decision: the card price');
  const dynamic = decideDynamic(rule, { ...stay, enabled: true, snapshot, experiment: null });
  const price = quote(card, venue, { ...input, dynamic });
  const subtotal = dynamicSubtotal(base.breakdown.subtotal, dynamic.multiplier, rule);
  t.equal(price.breakdown.subtotal, subtotal);
  t.equal(price.breakdown.discount.amount, Math.round((subtotal * price.breakdown.discount.percent) / 100));
  t.equal(price.total, subtotal - price.breakdown.discount.amount);
  t.same(price.dynamic, { ...dynamic, baseTotal: base.total, uplift: price.total - base.total });
  t.ok(price.dynamic!.uplift > 0);
  t.equal(quote({ ...card, dynamic: undefined }, venue, { ...input, dynamic }).dynamic, null, 'a card without a rule ignores a decision');
});
