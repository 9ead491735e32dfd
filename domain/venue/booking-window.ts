import { UnprocessableError } from '../../src/errors.js';
import { businessDateOf, businessDayBounds, onGrid, withinOpeningHours } from './settings.js';
import type { VenueSettings } from '../../src/events/venue.js';
import { addMinutes } from '../../src/clock.js';

/**
 * The checks every claim of new room time makes before it touches a stream, and
 * that availability applies to its question: duration, grid, past, how far
 * ahead, opening hours. Gives the business date and its end.
 */
export function bookingWindow(venue: VenueSettings, start: Date, minutes: number, now: Date): { businessDate: string; dayEnd: Date } {
  if (minutes < venue.minDurationMinutes || minutes > venue.maxDurationMinutes) {
    throw new UnprocessableError('invalid_duration', `Bookings last ${venue.minDurationMinutes} to ${venue.maxDurationMinutes} minutes.`, {
      field: 'durationMinutes',
    });
  }
  if (minutes % venue.gridMinutes !== 0)
    throw new UnprocessableError('off_grid', `Durations come in steps of ${venue.gridMinutes} minutes.`, { field: 'durationMinutes' });
  if (start.getTime() < now.getTime()) throw new UnprocessableError('in_the_past', 'The start time has passed.', { field: 'start' });
  if (!onGrid(start, venue))
    throw new UnprocessableError('off_grid', `Bookings start on a ${venue.gridMinutes}-minute grid.`, { field: 'start' });
  if (start.getTime() > now.getTime() + venue.maxDaysAhead * 86_400_000) {
    throw new UnprocessableError('too_far_ahead', `Bookings open ${venue.maxDaysAhead} days ahead.`, { field: 'start' });
  }
  const end = addMinutes(start, minutes);
  if (!withinOpeningHours(start, end, venue))
    throw new UnprocessableError('outside_opening_hours', 'The venue is closed for part of that time.', { field: 'start' });
  const businessDate = businessDateOf(start, venue);
  return { businessDate, dayEnd: businessDayBounds(businessDate, venue).end };
}
