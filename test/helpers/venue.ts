import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { Platform } from '../../src/platform.js';
import { demoRateCard, demoVenue } from '../../src/root/demo/rate-card.js';
import { addDays } from '../../domain/venue/time.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import type { VenueSettings } from '../../src/events/venue.js';
import { instantOf, minuteOfDay } from '../../domain/venue/time.js';
import { signUp, type SignedIn } from './auth.js';
import { startTestService } from './service.js';

export type TestVenue = {
  manager: SignedIn;
  waiter: SignedIn;
  rooms: { small: string[]; medium: string[]; large: string[] };
  /** A local wall time on a business date `daysAhead` from today, as an instant. */
  at: (daysAhead: number, hhmm: string) => Date;
};

async function post(app: FastifyInstance, url: string, auth: Record<string, string>, payload: object, method: 'POST' | 'PUT' = 'POST') {
  const res = await app.inject({ method, url, headers: auth, payload });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>();
}

/**
 * A venue like the demo one (open around the clock, business day from 06:00,
 * Asia/Shanghai, the demo rate card), with three small, two medium and one large room.
 */
export async function setUpVenue(app: FastifyInstance, platform: Platform, venue: Partial<VenueSettings> = {}): Promise<TestVenue> {
  const manager = await signUp(app, platform.store, 'manager');
  const waiter = await signUp(app, platform.store, 'waiter');
  // Tests hold many rooms as one guest; the hold limit's own test sets it low.
  await post(app, '/venue', manager.auth, { ...demoVenue, holidays: [], maxActiveHolds: 100, ...venue }, 'PUT');
  await post(app, '/rate-cards', manager.auth, demoRateCard);
  await post(app, '/room-types', manager.auth, { id: 'small', name: 'Small', minCapacity: 2, maxCapacity: 4, cleaningBufferMinutes: 15 });
  await post(app, '/room-types', manager.auth, { id: 'medium', name: 'Medium', minCapacity: 5, maxCapacity: 8, cleaningBufferMinutes: 15 });
  await post(app, '/room-types', manager.auth, { id: 'large', name: 'Large', minCapacity: 9, maxCapacity: 15, cleaningBufferMinutes: 20 });
  const room = async (name: string, type: string, capacity: number) =>
    (await post(app, '/rooms', manager.auth, { name, type, capacity })).id;
  const rooms = {
    small: [await room('S01', 'small', 4), await room('S02', 'small', 4), await room('S03', 'small', 3)],
    medium: [await room('M01', 'medium', 8), await room('M02', 'medium', 8)],
    large: [await room('L01', 'large', 15)],
  };
  const tz = demoVenue.timeZone;
  const today = businessDateOf(new Date(), demoVenue);
  const at = (daysAhead: number, hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    // Times before 06:00 belong to the business day that began the evening before.
    const date = addDays(today, daysAhead + (h < 6 ? 1 : 0));
    return instantOf(date, h * 60 + m, tz);
  };
  return { manager, waiter, rooms, at };
}

/** The input of a guest's own hold (regular member, no contact details), for tests that drive `holdBooking` directly. */
export const guestHoldInput = (guestId: string, roomId: string, start: Date, durationMinutes = 60, partySize = 2) => ({
  roomId,
  start,
  durationMinutes,
  partySize,
  guestId,
  memberLevel: 'regular' as const,
  guestName: null,
  guestPhone: null,
});

/**
 * Venue settings whose business day turns over about twelve hours from now. Tests that book relative
 * to the clock ("in a minute", "in an hour") use them, so their stays never cross the day's end,
 * whatever the hour the suite runs at. Such tests must not use `at` or the demo's business dates.
 */
export function dayEndFarFromNow(now = new Date()): Pick<VenueSettings, 'businessDayStartMinute'> {
  const hour = Math.floor(minuteOfDay(now, demoVenue.timeZone) / 60);
  return { businessDayStartMinute: ((hour + 12) % 24) * 60 };
}

/**
 * A service of its own with a venue set up as `setUpVenue` does, its business day turning over far from
 * now: for the tests of a file that book from the clock while the file's other tests book fixed times with `at`.
 */
export async function startServiceFromNow(t: Test) {
  const service = await startTestService(t);
  return { ...service, venue: await setUpVenue(service.app, service.platform, dayEndFarFromNow()) };
}
