import { MINUTE_MS } from '../../src/clock.js';

/**
 * Wall-clock arithmetic in the venue's time zone, on Intl only (no DST table of
 * our own): instants are Dates, local times are parts.
 */
export type LocalParts = Readonly<{ year: number; month: number; day: number; hour: number; minute: number; weekday: number }>;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Intl formatting is slow next to everything else on a request, and the same minutes come up again
// and again (a slot's start, now); every zone offset is whole minutes, so a minute has one answer.
const partsByMinute = new Map<string, LocalParts>();
const MAX_REMEMBERED = 50_000;

export function localParts(at: Date, timeZone: string): LocalParts {
  const key = `${timeZone}|${Math.floor(at.getTime() / MINUTE_MS)}`;
  let found = partsByMinute.get(key);
  if (!found) {
    const parts = Object.fromEntries(
      formatter(timeZone)
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    found = {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      weekday: WEEKDAYS[parts.weekday ?? 'Sun'] ?? 0,
    };
    if (partsByMinute.size >= MAX_REMEMBERED) partsByMinute.clear();
    partsByMinute.set(key, found);
  }
  return found;
}

/** Minutes since local midnight. */
export function minuteOfDay(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  return p.hour * 60 + p.minute;
}

/** The instant at which the local wall clock in `timeZone` shows `date` `minutes` after midnight. */
export function instantOf(date: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  // Correct by the zone's offset at the guess, then once more in case the offset changed in between.
  let at = guess;
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(at), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    at += guess - shown;
  }
  return new Date(at);
}

export function isoDate(p: Pick<LocalParts, 'year' | 'month' | 'day'>): string {
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The calendar date `days` after an ISO date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** Day of the week of an ISO date (0 = Sunday). */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}
