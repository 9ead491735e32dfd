import { planHistory, type HistoryPlan } from '../src/root/demo/history-plan.js';
import { buildModel, guestWeights, roomKey, scoreFor, typeKey, type Interaction } from '../queries/recommendations/model.js';
import { forecastDay, HOURS, type DayObservation } from '../domain/forecast/demand.js';
import { addDays } from '../domain/venue/time.js';
import type { Figures } from './figures.js';

/**
 * Offline evaluation of the smart features on a generated plan (the history
 * generator's, without playing it through the commands): the recommender on a
 * time split, the forecast on a rolling origin, each against its baseline.
 */
const ROOMS_PER_TYPE: Record<string, number> = { small: 4, medium: 4, large: 3, deluxe: 2, party: 1 };
const HOLIDAYS = ['2026-09-25', '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'];
const K = 5;

/** A plan's bookings as the recommender sees them: the guest's favourite room of the type (rooms named by index). */
function interactionsOf(plan: HistoryPlan, dayMs: (date: string) => number): Interaction[] {
  return plan.visits
    .filter((v) => v.outcome !== 'abandoned')
    .map((v) => {
      const g = plan.guests[v.guest]!;
      return {
        guestId: String(v.guest),
        roomTypeId: v.roomTypeId,
        roomId: `${v.roomTypeId}-${g.favouriteRoom % (ROOMS_PER_TYPE[v.roomTypeId] ?? 1)}`,
        at: new Date(dayMs(v.businessDate)),
        spend: (10_000 * v.durationMinutes) / 60,
        partySize: v.partySize,
      };
    });
}

function rankingFigures(lists: readonly (readonly string[])[], relevant: readonly ReadonlySet<string>[]) {
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  lists.forEach((list, i) => {
    const rel = relevant[i]!;
    const hits = list.map((item) => (rel.has(item) ? 1 : 0));
    const found = hits.reduce<number>((a, b) => a + b, 0);
    precision += found / K;
    recall += found / rel.size;
    const dcg = hits.reduce<number>((s, h, r) => s + h / Math.log2(r + 2), 0);
    const ideal = Array.from({ length: Math.min(K, rel.size) }, (_, r) => 1 / Math.log2(r + 2)).reduce((a, b) => a + b, 0);
    ndcg += dcg / ideal;
  });
  const n = lists.length || 1;
  const f = (x: number) => (x / n).toFixed(3);
  return `P@5 ${f(precision)}, R@5 ${f(recall)}, NDCG@5 ${f(ndcg)}`;
}

function evaluateRecommender(plan: HistoryPlan, splitDate: string): Figures {
  const dayMs = (d: string) => Date.parse(`${d}T12:00:00Z`);
  const all = interactionsOf(plan, dayMs);
  const train = all.filter((i) => i.at.getTime() < dayMs(splitDate));
  const test = all.filter((i) => i.at.getTime() >= dayMs(splitDate));
  const now = new Date(dayMs(splitDate));
  const model = buildModel(train, now);
  const weights = guestWeights(train, now);
  const counts = new Map<string, number>();
  for (const i of train) for (const k of [typeKey(i.roomTypeId), roomKey(i.roomId)]) counts.set(k, (counts.get(k) ?? 0) + 1);
  const popular = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const cf: string[][] = [];
  const pop: string[][] = [];
  const relevant: Set<string>[] = [];
  for (const [guest, mine] of weights) {
    const future = new Set(test.filter((i) => i.guestId === guest).flatMap((i) => [typeKey(i.roomTypeId), roomKey(i.roomId)]));
    if (future.size === 0) continue;
    const ranked = scoreFor(model, mine).map((s) => s.item.key);
    cf.push([...ranked, ...popular.filter((p) => !ranked.includes(p))].slice(0, K));
    pop.push(popular.slice(0, K));
    relevant.push(future);
  }
  return {
    'recommender split': `learn before ${splitDate}, test after; ${relevant.length} guests with bookings on both sides`,
    'item-based CF (+popularity fill)': rankingFigures(cf, relevant),
    'popularity baseline': rankingFigures(pop, relevant),
  };
}

const DAY_MS = 86_400_000;
/** The leads (days before the business day starts) the lead-time part of the forecast is tested at. */
const LEADS = [0, 1, 3];

function evaluateForecast(plan: HistoryPlan, origins: number): Figures {
  const observations = new Map<string, Map<string, { hours: number[]; leads: number[][] }>>();
  for (const type of Object.keys(ROOMS_PER_TYPE))
    observations.set(
      type,
      new Map(plan.dates.map((d) => [d, { hours: new Array<number>(HOURS).fill(0), leads: Array.from({ length: HOURS }, () => []) }])),
    );
  for (const v of plan.visits) {
    if (v.outcome === 'abandoned' || v.outcome === 'cancelled') continue;
    const day = observations.get(v.roomTypeId)?.get(v.businessDate);
    if (!day) continue;
    const fromDayStart = (v.startMinute - 360 + 1440) % 1440;
    // Booked `leadMinutes` before its start: this long before its business day began (negative: on the day).
    const lead = (v.leadMinutes - fromDayStart) * 60_000;
    const slot = Math.floor(fromDayStart / 60);
    for (let s = slot; s < Math.min(HOURS, slot + Math.ceil(v.durationMinutes / 60)); s++) {
      day.hours[s] = (day.hours[s] ?? 0) + 1;
      day.leads[s]?.push(lead);
    }
  }
  const blank = () => ({ sum: 0, pct: 0 });
  const err = { model: blank(), naive: blank(), n: 0, nPct: 0, lead: LEADS.map(blank) };
  const add = (e: { sum: number; pct: number }, a: number, p: number) => {
    e.sum += Math.abs(a - p);
    if (a > 0) e.pct += Math.abs(a - p) / a;
  };
  const targets = plan.dates.slice(-origins);
  for (const [, byDate] of observations) {
    const history: DayObservation[] = [...byDate].map(([date, d]) => ({ date, ...d }));
    for (const date of targets) {
      const actual = byDate.get(date)!;
      const lastWeek = byDate.get(addDays(date, -7));
      if (!lastWeek) continue;
      const predicted = forecastDay(date, history, HOLIDAYS).expected;
      // As of `lead` days before the date's start: only days complete by then, and what was booked by then.
      const withLead = LEADS.map((lead) => {
        const leadMs = lead * DAY_MS;
        const onBooks = { leadMs, hours: actual.leads.map((ls) => ls.filter((l) => l >= leadMs).length) };
        const known = history.filter((d) => d.date < addDays(date, -lead));
        return forecastDay(date, known, HOLIDAYS, { onBooks }).expected;
      });
      actual.hours.forEach((a, h) => {
        add(err.model, a, predicted[h] ?? 0);
        add(err.naive, a, lastWeek.hours[h] ?? 0);
        withLead.forEach((p, i) => add(err.lead[i]!, a, p[h] ?? 0));
        err.n++;
        if (a > 0) err.nPct++;
      });
    }
  }
  const f = (e: { sum: number; pct: number }) => `${(e.sum / err.n).toFixed(3)} / ${((100 * e.pct) / err.nPct).toFixed(1)} %`;
  return {
    'forecast backtest': `rolling origin over the last ${origins} days, every room type and hour (${err.n} points, ${err.nPct} with bookings)`,
    'decayed seasonal average, MAE / MAPE': f(err.model),
    ...Object.fromEntries(
      LEADS.map((lead, i) => [`with lead time, ${lead} day(s) ahead (on the books + pickup), MAE / MAPE`, f(err.lead[i]!)]),
    ),
    'seasonal naive (same hour last week), MAE / MAPE': f(err.naive),
    'weather input': 'none (the generated history has no weather; the input is optional and off by default)',
  };
}

export function benchSmart(): Figures {
  const lastDate = '2026-11-28';
  const plan = planHistory(1, 90, 500, lastDate, HOLIDAYS);
  return { ...evaluateRecommender(plan, addDays(lastDate, -29)), ...evaluateForecast(plan, 28) };
}
