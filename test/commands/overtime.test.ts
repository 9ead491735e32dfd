import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { checkOut } from '../../commands/bookings/check-out.js';
import { loadBooking } from '../../commands/bookings/context.js';
import { currentVenue, requireRateCard } from '../../commands/venue/current.js';
import { quote } from '../../domain/pricing/quote.js';
import { addMinutes } from '../../src/clock.js';

const { app, platform } = await startTestService(t);
// The parties are walk-ins of the hour from now, staying on past its end.
const venue = await setUpVenue(app, platform, dayEndFarFromNow());
const staff = { userId: venue.waiter.userId, staff: true };

async function walkIn(roomId: string) {
  const res = await call(app, {
    method: 'POST',
    url: '/walk-ins',
    headers: venue.waiter.auth,
    payload: { roomId, durationMinutes: 60, partySize: 2 },
  });
  if (res.status !== 201) throw new Error(res.raw);
  return loadBooking(platform.store, res.body.id, staff);
}

t.test('a party still in its room 25 minutes past its end pays two started quarter hours at the rate card’s rates', async (t) => {
  const booking = await walkIn(venue.rooms.small[0]!);
  const bill = await checkOut(platform.store, booking, staff.userId, { actor: staff.userId }, addMinutes(booking.end, 25));
  const settings = await currentVenue(platform.store);
  const expected = quote(await requireRateCard(platform.store), settings, {
    roomTypeId: booking.roomTypeId,
    start: booking.end,
    minutes: 30,
    memberLevel: 'regular',
  }).total;
  t.ok(expected > 0);
  t.same(bill.lines, [
    { kind: 'room', description: 'Room', amount: booking.basePrice },
    { kind: 'overtime', description: 'Overtime 30 min', amount: expected },
  ]);
  t.equal(bill.total, booking.basePrice + expected);
});

t.test('within the grace period (10 min) a late party pays nothing more', async (t) => {
  const booking = await walkIn(venue.rooms.small[1]!);
  const bill = await checkOut(platform.store, booking, staff.userId, { actor: staff.userId }, addMinutes(booking.end, 10));
  t.same(bill.lines, [{ kind: 'room', description: 'Room', amount: booking.basePrice }]);
});
