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
// 2: lead time (what is already on the books, plus the pickup usual at that lead) and optional weather.
export const FORECAST_MODEL_VERSION = 2;
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

/**
 * A past business date and how many bookings were in progress in each of its 24 hours; with
 * `leads`, for each hour how long before the day's start each of those stays was booked (ms;
 * negative: booked on the day), which is what the lead-time part learns from.
 */
export type DayObservation = Readonly<{ date: string; hours: readonly number[]; leads?: readonly (readonly number[])[] }>;

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

export type Stay = Readonly<{ businessDate: string; start: Date; end: Date; bookedAt?: Date }>;

/**
 * Folds stays into one observation per date of [from, to]: dates with no stay
 * are observed zeros, not gaps, because a quiet day is information too.
 */
export function observe(stays: readonly Stay[], from: string, to: string, v: VenueSettings): DayObservation[] {
  const days = new Map<string, { hours: number[]; leads: number[][] }>();
  for (let d = from; d <= to; d = addDays(d, 1))
    days.set(d, { hours: new Array<number>(HOURS).fill(0), leads: Array.from({ length: HOURS }, () => []) });
  const withLeads = stays.every((s) => s.bookedAt !== undefined);
  for (const stay of stays) {
    const day = days.get(stay.businessDate);
    if (!day) continue;
    const { start } = businessDayBounds(stay.businessDate, v);
    for (const s of slotsOf(stay.start, stay.end, start)) {
      day.hours[s] = (day.hours[s] ?? 0) + 1;
      if (stay.bookedAt) day.leads[s]?.push(start.getTime() - stay.bookedAt.getTime());
    }
  }
  return [...days].map(([date, { hours, leads }]) => (withLeads ? { date, hours, leads } : { date, hours }));
}

/**
 * What is on the books for the date asked: bookings in progress per hour slot, and how long
 * before the date's business day starts they were counted (ms; negative once the day has begun).
 */
export type OnBooks = Readonly<{ leadMs: number; hours: readonly number[] }>;

/**
 * An optional weather input: a condition per business date (`rain`, `clear`, … or null when not
 * known), for history and the date asked alike. None by default: the forecast ignores weather.
 */
export type Weather = (date: string) => string | null;

export type ForecastOptions = Readonly<{ onBooks?: OnBooks; weather?: Weather }>;

export type Forecast = Readonly<{
  /** Expected bookings in progress per business-day hour slot. */
  expected: readonly number[];
  /** What the forecast was made from: the kind of day, whose profile was used, how many days. */
  basis: DayKind;
  daysUsed: number;
  /** The lead the on-books part was taken at (ms before the day's start), or null without it. */
  leadMs: number | null;
  /** The date's weather and the factor it applied to what is still to come, or null without weather. */
  weather: Readonly<{ condition: string; factor: number }> | null;
}>;

function decayedAverage(target: string, days: readonly { date: string; hours: readonly number[] }[]): number[] {
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

/** Needs this many days of the same kind in the same weather before weather moves a forecast. */
const WEATHER_MIN_DAYS = 2;

/**
 * How much busier days of this kind are in the date's weather than all of them: the mean daily
 * total on same-weather days over the mean of all, kept within [0.5, 2]; 1 when unknown.
 */
function weatherFactor(date: string, days: readonly DayObservation[], weather: Weather | undefined): Forecast['weather'] {
  const condition = weather?.(date) ?? null;
  if (!weather || condition === null) return null;
  const total = (d: DayObservation) => d.hours.reduce((a, b) => a + b, 0);
  const mean = (ds: readonly DayObservation[]) => ds.reduce((a, d) => a + total(d), 0) / ds.length;
  const alike = days.filter((d) => weather(d.date) === condition);
  const all = mean(days);
  const factor = alike.length < WEATHER_MIN_DAYS || !(all > 0) ? 1 : Math.min(2, Math.max(0.5, mean(alike) / all));
  return { condition, factor: Math.round(factor * 1000) / 1000 };
}

/**
 * Additive pickup, the classic lead-time method: what is on the books now, plus what days of the
 * same kind still gained after the same lead (their final count less what they had on the books
 * then), decayed like the average. Far ahead nothing is on the books yet and this is the average.
 */
function pickup(date: string, days: readonly DayObservation[], onBooks: OnBooks, factor: number): number[] | null {
  if (days.some((d) => !d.leads)) return null;
  const gained = days.map((d) => ({
    date: d.date,
    hours: d.hours.map((n, h) => n - (d.leads?.[h] ?? []).filter((lead) => lead >= onBooks.leadMs).length),
  }));
  return decayedAverage(date, gained).map((g, h) => (onBooks.hours[h] ?? 0) + factor * g);
}

/**
 * The forecast for `date` from observations of earlier dates (later ones are ignored): with
 * `onBooks`, what is booked already plus the usual pickup from that lead on; with `weather`, what
 * is still to come scaled by how days in that weather went.
 */
export function forecastDay(
  date: string,
  history: readonly DayObservation[],
  holidays: readonly string[],
  options: ForecastOptions = {},
): Forecast {
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
  const weather = weatherFactor(date, days, options.weather);
  const factor = weather?.factor ?? 1;
  const withLead = options.onBooks ? pickup(date, days, options.onBooks, factor) : null;
  return {
    expected: withLead ?? decayedAverage(date, days).map((e) => e * factor),
    basis,
    daysUsed: days.length,
    leadMs: withLead && options.onBooks ? options.onBooks.leadMs : null,
    weather,
  };
}

/** Heat: the expected share of the type's rooms in use, clamped to [0, 1]; no rooms is no heat. */
export function heatOf(expected: number, rooms: number): number {
  if (rooms <= 0) return 0;
  return Math.min(1, Math.max(0, expected / rooms));
}
