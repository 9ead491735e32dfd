import type { VenueSettings } from '../../src/events/venue.js';
import { addDays, instantOf, isoDate, localParts, minuteOfDay, weekdayOf } from './time.js';
import { addMinutes, minutesBetween } from '../../src/clock.js';

export const DEFAULT_VENUE: VenueSettings = {
  timeZone: 'Asia/Shanghai',
  businessDayStartMinute: 6 * 60,
  openAllDay: true,
  opensAtMinute: 12 * 60,
  closesAtMinute: 6 * 60,
  holdMinutes: 15,
  gridMinutes: 15,
  minDurationMinutes: 60,
  maxDurationMinutes: 12 * 60,
  maxDaysAhead: 60,
  checkInOpensMinutesBefore: 30,
  noShowGraceMinutes: 30,
  fullRefundMinutesBefore: 120,
  holidays: [],
  maxActiveHolds: 2,
  vatRatePercent: 0,
  reservedWindowMinutes: 60,
  overtimeGraceMinutes: 10,
  billingUnitMinutes: 15,
  waiterAdjustmentLimit: 0,
  venueName: 'KTV',
  bottleStorageDays: 30,
};

/** The business date an instant belongs to: the local date of the instant minus the business-day start. */
export function businessDateOf(at: Date, v: VenueSettings): string {
  const shifted = addMinutes(at, -v.businessDayStartMinute);
  // Shifting the instant is exact for fixed offsets; DST changes happen at night, away from 06:00.
  return isoDate(localParts(shifted, v.timeZone));
}

/** The first and last instants of a business date. */
export function businessDayBounds(date: string, v: VenueSettings): { start: Date; end: Date } {
  return {
    start: instantOf(date, v.businessDayStartMinute, v.timeZone),
    end: instantOf(addDays(date, 1), v.businessDayStartMinute, v.timeZone),
  };
}

export function isWeekendOrHoliday(businessDate: string, v: VenueSettings): boolean {
  const day = weekdayOf(businessDate);
  return day === 0 || day === 6 || v.holidays.includes(businessDate);
}

/** Minutes after the business-day start. */
function offsetInBusinessDay(at: Date, v: VenueSettings): number {
  return (minuteOfDay(at, v.timeZone) - v.businessDayStartMinute + 1440) % 1440;
}

/** When the venue closes on a business date: the end of the business day when it is open all day. */
export function closingTime(date: string, v: VenueSettings): Date {
  const bounds = businessDayBounds(date, v);
  if (v.openAllDay) return bounds.end;
  const closes = (v.closesAtMinute - v.businessDayStartMinute + 1440) % 1440 || 1440;
  return addMinutes(bounds.start, closes);
}

/** Whether [start, end) lies within the opening hours of its business day. */
export function withinOpeningHours(start: Date, end: Date, v: VenueSettings): boolean {
  if (v.openAllDay) return true;
  const opens = (v.opensAtMinute - v.businessDayStartMinute + 1440) % 1440;
  let closes = (v.closesAtMinute - v.businessDayStartMinute + 1440) % 1440;
  if (closes === 0) closes = 1440;
  const s = offsetInBusinessDay(start, v);
  const minutes = minutesBetween(start, end);
  return s >= opens && s + minutes <= closes;
}

/** Whether an instant sits on the booking grid (e.g. every 15 minutes of local time). */
export function onGrid(at: Date, v: VenueSettings): boolean {
  return at.getUTCSeconds() === 0 && at.getUTCMilliseconds() === 0 && minuteOfDay(at, v.timeZone) % v.gridMinutes === 0;
}
