import type { VenueSettings } from '../../src/events/venue.js';
import { addDays, weekdayOf } from '../venue/time.js';
import { businessDayBounds } from '../venue/settings.js';

/**
 * The demand forecast: for one room type and business date, how many of its
 * bookings are expected to be in progress in each hour of the business day, and
 * the heat, the share of the type's rooms that makes.
 *
 * The model is a decayed seasonal average, chosen because a manager can check
 * it by hand: a date is of a *kind* (a holiday, the eve of a holiday, or its
 * weekday); the forecast for an hour is the average of that hour over the past
 * dates of the same kind, each weighted by 0.5^(age in days / 28), so the last
 * month counts twice as much as the one before (which is how a trend shows).
 * Holidays and eves are kept out of the weekday averages; a holiday with no
 * holiday in its history borrows Saturday's profile, an eve Friday's.
 */
export const FORECAST_MODEL_VERSION = 1;
export const HOURS = 24;
/** Weekdays look back this many days (8 of each weekday); holidays and eves a year. */
export const WEEKDAY_WINDOW_DAYS = 56;
export const HOLIDAY_WINDOW_DAYS = 365;
export const HALF_LIFE_DAYS = 28;

export type DayKind = Readonly<{ kind: 'holiday' } | { kind: 'eve' } | { kind: 'weekday'; weekday: number }>;

export function dayKindOf(date: string, holidays: readonly string[]): DayKind {
  if (holidays.includes(date)) return { kind: 'holiday' };
  if (holidays.includes(addDays(date, 1))) return { kind: 'eve' };
  return { kind: 'weekday', weekday: weekdayOf(date) };
}

const sameKind = (a: DayKind, b: DayKind) =>
  a.kind === b.kind && (a.kind !== 'weekday' || (b.kind === 'weekday' && a.weekday === b.weekday));

/** A past business date and how many bookings were in progress in each of its 24 hours. */
export type DayObservation = Readonly<{ date: string; hours: readonly number[] }>;

/** The clock hours of a business day in order, starting at its first hour. */
export function businessHours(v: Pick<VenueSettings, 'businessDayStartMinute'>): number[] {
  const first = Math.floor(v.businessDayStartMinute / 60);
  return Array.from({ length: HOURS }, (_, i) => (first + i) % 24);
}

/** The business-day hour slots (0–23) a stay covers, given its business day's start instant. */
export function slotsOf(start: Date, end: Date, dayStart: Date): number[] {
  const hour = 3_600_000;
  const first = Math.max(0, Math.floor((start.getTime() - dayStart.getTime()) / hour));
  const last = Math.min(HOURS - 1, Math.ceil((end.getTime() - dayStart.getTime()) / hour) - 1);
  const slots: number[] = [];
  for (let s = first; s <= last; s++) slots.push(s);
  return slots;
}

export type Stay = Readonly<{ businessDate: string; start: Date; end: Date }>;

/**
 * Folds stays into one observation per date of [from, to]: dates with no stay
 * are observed zeros, not gaps, because a quiet day is information too.
 */
export function observe(stays: readonly Stay[], from: string, to: string, v: VenueSettings): DayObservation[] {
  const days = new Map<string, number[]>();
  for (let d = from; d <= to; d = addDays(d, 1)) days.set(d, new Array<number>(HOURS).fill(0));
  for (const stay of stays) {
    const hours = days.get(stay.businessDate);
    if (!hours) continue;
    const { start } = businessDayBounds(stay.businessDate, v);
    for (const s of slotsOf(stay.start, stay.end, start)) hours[s] = (hours[s] ?? 0) + 1;
  }
  return [...days].map(([date, hours]) => ({ date, hours }));
}

export type Forecast = Readonly<{
  /** Expected bookings in progress per business-day hour slot. */
  expected: readonly number[];
  /** What the forecast was made from: the kind of day, whose profile was used, how many days. */
  basis: DayKind;
  daysUsed: number;
}>;

function decayedAverage(target: string, days: readonly DayObservation[]): number[] {
  const sums = new Array<number>(HOURS).fill(0);
  let weights = 0;
  const targetMs = Date.parse(`${target}T00:00:00Z`);
  for (const day of days) {
    const age = (targetMs - Date.parse(`${day.date}T00:00:00Z`)) / 86_400_000;
    const w = 0.5 ** (age / HALF_LIFE_DAYS);
    weights += w;
    day.hours.forEach((n, i) => (sums[i] = (sums[i] ?? 0) + w * n));
  }
  return sums.map((s) => (weights === 0 ? 0 : s / weights));
}

/** The forecast for `date` from observations of earlier dates (later ones are ignored). */
export function forecastDay(date: string, history: readonly DayObservation[], holidays: readonly string[]): Forecast {
  const kind = dayKindOf(date, holidays);
  const past = history.filter((d) => d.date < date);
  const within = (days: number) => past.filter((d) => d.date >= addDays(date, -days));
  const ofKind = (k: DayKind, windowDays: number) => within(windowDays).filter((d) => sameKind(dayKindOf(d.date, holidays), k));
  let basis: DayKind = kind;
  let days = ofKind(kind, kind.kind === 'weekday' ? WEEKDAY_WINDOW_DAYS : HOLIDAY_WINDOW_DAYS);
  if (days.length === 0 && kind.kind !== 'weekday') {
    basis = { kind: 'weekday', weekday: kind.kind === 'holiday' ? 6 : 5 };
    days = ofKind(basis, WEEKDAY_WINDOW_DAYS);
  }
  return { expected: decayedAverage(date, days), basis, daysUsed: days.length };
}

/** Heat: the expected share of the type's rooms in use, clamped to [0, 1]; no rooms is no heat. */
export function heatOf(expected: number, rooms: number): number {
  if (rooms <= 0) return 0;
  return Math.min(1, Math.max(0, expected / rooms));
}
