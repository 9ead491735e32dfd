import { addDays, weekdayOf } from '../../../domain/venue/time.js';
import { seeded, type Random } from './random.js';

/**
 * The plan of a generated history, made from a seed alone (no clock, no
 * database), so the same seed always plans the same guests and visits. The
 * driver (history.ts) then plays it through the real commands.
 */

/** The demo's room types by size, and how often a party of each size comes. */
const TYPES = [
  { id: 'small', min: 2, max: 4, share: 0.5 },
  { id: 'medium', min: 5, max: 8, share: 0.3 },
  { id: 'large', min: 9, max: 15, share: 0.13 },
  { id: 'deluxe', min: 16, max: 25, share: 0.05 },
  { id: 'party', min: 30, max: 40, share: 0.02 },
] as const;

/** Weekly seasonality, Sunday first: Friday and Saturday nights are the week's peak. */
const WEEKDAY_DEMAND = [0.9, 0.5, 0.5, 0.6, 0.8, 1.4, 1.6];
const HOLIDAY_DEMAND = 1.8;
const EVE_DEMAND = 1.5;
const MEAN_DEMAND = WEEKDAY_DEMAND.reduce((a, b) => a + b, 0) / 7;

export type Guest = Readonly<{
  index: number;
  /** The room type the guest's usual party fits, and one they sometimes take instead (a bigger or smaller group). */
  roomTypeId: string;
  otherTypeId: string;
  partySize: number;
  /** Which room of the type they ask for first (by name order). */
  favouriteRoom: number;
  /** Daily seasonality: the local hour they like to start (14 afternoon, 20 evening, 23 late). */
  hour: number;
  visitsPerMonth: number;
  /** Price-sensitive guests come less on weekends and holidays, when rates are higher. */
  priceSensitive: boolean;
  cancelRate: number;
  noShowRate: number;
}>;

export type Outcome = 'completed' | 'abandoned' | 'cancelled' | 'no_show';

export type Visit = Readonly<{
  id: number;
  guest: number;
  businessDate: string;
  roomTypeId: string;
  partySize: number;
  /** The local clock time it starts, in minutes after midnight, within its business day. */
  startMinute: number;
  durationMinutes: number;
  /** How long before the start the guest holds the room. */
  leadMinutes: number;
  outcome: Outcome;
  /** Whether the guest looks at their recommendations first. */
  asksRecommendations: boolean;
}>;

export type WalkIn = Readonly<{
  id: number;
  businessDate: string;
  roomTypeId: string;
  partySize: number;
  startMinute: number;
  durationMinutes: number;
}>;

export type HistoryPlan = Readonly<{
  guests: readonly Guest[];
  visits: readonly Visit[];
  walkIns: readonly WalkIn[];
  dates: readonly string[];
}>;

/** A local clock time in minutes, wrapped into a day (25 * 60 is 01:00, the next morning of the same business day). */
const clockMinute = (minutes: number) => ((minutes % 1440) + 1440) % 1440;

function sizeIn(rnd: Random, typeId: string): number {
  const t = TYPES.find((x) => x.id === typeId) ?? TYPES[0];
  return rnd.int(t.min, t.max);
}

function planGuest(rnd: Random, index: number): Guest {
  const i = TYPES.indexOf(rnd.pick(TYPES.map((t) => [t, t.share] as const)));
  const type = TYPES[i]!;
  const neighbour = TYPES[i === TYPES.length - 1 ? i - 1 : i === 0 ? 1 : rnd.chance(0.5) ? i - 1 : i + 1]!;
  const priceSensitive = rnd.chance(0.3);
  return {
    index,
    roomTypeId: type.id,
    otherTypeId: neighbour.id,
    partySize: sizeIn(rnd, type.id),
    favouriteRoom: rnd.int(0, 3),
    hour: rnd.pick(
      priceSensitive
        ? ([
            [14, 0.6],
            [20, 0.3],
            [23, 0.1],
          ] as const)
        : ([
            [14, 0.2],
            [20, 0.55],
            [23, 0.25],
          ] as const),
    ),
    visitsPerMonth: 0.5 + rnd.next() * 2.5,
    priceSensitive,
    cancelRate: rnd.next() * 0.12,
    noShowRate: rnd.next() * 0.06,
  };
}

/** Demand of a date relative to an average day: weekday, holiday and eve. */
export function demandOf(date: string, holidays: readonly string[], priceSensitive = false): number {
  const holiday = holidays.includes(date);
  const eve = !holiday && holidays.includes(addDays(date, 1));
  const base = holiday ? HOLIDAY_DEMAND : eve ? EVE_DEMAND : (WEEKDAY_DEMAND[weekdayOf(date)] ?? 1);
  const dear = holiday || [0, 5, 6].includes(weekdayOf(date));
  return (priceSensitive && dear ? base / 2 : base) / MEAN_DEMAND;
}

export function planHistory(seed: number, days: number, guestCount: number, lastDate: string, holidays: readonly string[]): HistoryPlan {
  const rnd = seeded(seed);
  const guests = Array.from({ length: guestCount }, (_, i) => planGuest(rnd, i));
  const dates = Array.from({ length: days }, (_, i) => addDays(lastDate, i - days + 1));
  const visits: Visit[] = [];
  const walkIns: WalkIn[] = [];
  for (const businessDate of dates) {
    for (const g of guests) {
      if (!rnd.chance((g.visitsPerMonth / 30) * demandOf(businessDate, holidays, g.priceSensitive))) continue;
      const other = rnd.chance(0.25);
      const hour = g.hour + rnd.int(-1, 1);
      visits.push({
        id: visits.length,
        guest: g.index,
        businessDate,
        roomTypeId: other ? g.otherTypeId : g.roomTypeId,
        partySize: other ? sizeIn(rnd, g.otherTypeId) : g.partySize,
        startMinute: clockMinute(
          hour * 60 +
            rnd.pick([
              [0, 2],
              [30, 1],
            ] as const),
        ),
        durationMinutes: rnd.pick([
          [120, 4],
          [180, 4],
          [240, 2],
        ] as const),
        leadMinutes: rnd.pick([
          [rnd.int(60, 360), 3],
          [rnd.int(1, 3) * 1440, 5],
          [rnd.int(4, 10) * 1440, 2],
        ] as const),
        outcome: rnd.chance(0.06)
          ? 'abandoned'
          : rnd.chance(g.cancelRate)
            ? 'cancelled'
            : rnd.chance(g.noShowRate)
              ? 'no_show'
              : 'completed',
        asksRecommendations: rnd.chance(0.3),
      });
    }
    const walkInCount = rnd.int(0, Math.round(2 * demandOf(businessDate, holidays)));
    for (let w = 0; w < walkInCount; w++) {
      const type = rnd.pick(TYPES.map((t) => [t.id, t.share] as const));
      walkIns.push({
        id: walkIns.length,
        businessDate,
        roomTypeId: type,
        partySize: sizeIn(rnd, type),
        startMinute: clockMinute(rnd.int(15, 25) * 60),
        durationMinutes: rnd.pick([
          [60, 1],
          [120, 2],
          [180, 1],
        ] as const),
      });
    }
  }
  return { guests, visits, walkIns, dates };
}
