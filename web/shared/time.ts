/** Minutes the zone is ahead of UTC at that instant (e.g. 480 for Asia/Shanghai). */
function offsetMinutes(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(utcMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
  return Math.round((wall - Math.floor(utcMs / 60_000) * 60_000) / 60_000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The instant a wall-clock date and time (YYYY-MM-DD, HH:mm) names in the
 * venue's time zone, as ISO 8601 with that offset: what the API takes, whatever
 * the device's own zone.
 */
export function venueInstant(date: string, time: string, timeZone: string): string {
  const wall = Date.parse(`${date}T${time}:00Z`);
  // The offset at the wall time read as UTC, then at the instant that gives: right across a DST change too.
  const offset = offsetMinutes(wall - offsetMinutes(wall, timeZone) * 60_000, timeZone);
  const abs = Math.abs(offset);
  return `${date}T${time}:00${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Today's date (YYYY-MM-DD) in the venue's time zone. */
export const venueToday = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());

/** The business day `now` falls in: its date and its first instant (the day starts at `startMinute` local time). */
export function businessDay(now: number, timeZone: string, startMinute: number): { date: string; start: number } {
  const shifted = now - startMinute * 60_000;
  const local = new Date(shifted + offsetMinutes(shifted, timeZone) * 60_000);
  const date = local.toISOString().slice(0, 10);
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  return { date, start: midnight + startMinute * 60_000 - offsetMinutes(midnight, timeZone) * 60_000 };
}
