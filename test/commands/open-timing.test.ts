import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { at } from '../helpers/clock.js';
import { setUpVenue, startServiceFromNow } from '../helpers/venue.js';
import { startWalkIn } from '../../commands/bookings/walk-in.js';
import { checkOut } from '../../commands/bookings/check-out.js';
import { loadBooking } from '../../commands/bookings/context.js';
import { currentVenue, requireRateCard } from '../../commands/venue/current.js';
import { quote } from '../../domain/pricing/quote.js';
import { businessDayBounds } from '../../domain/venue/settings.js';
import { addMinutes } from '../../src/clock.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const staff = { userId: venue.waiter.userId, staff: true };
const ctx = { store: platform.store, clock: () => new Date() };
const walkInInput = (roomId: string) => ({ roomId, partySize: 2, durationMinutes: null, guestName: null, guestPhone: null });
const metadata = { actor: staff.userId };

/** An open-timed walk-in opened tomorrow at `hhmm`, as the desk would have then. */
async function openWalkIn(roomId: string, hhmm: string) {
  const w = await startWalkIn(at(ctx, venue.at(1, hhmm)), walkInInput(roomId), staff, metadata);
  return loadBooking(platform.store, w.bookingId, staff);
}

const priceOf = async (roomTypeId: string, start: Date, minutes: number) =>
  quote(await requireRateCard(platform.store), await currentVenue(platform.store), { roomTypeId, start, minutes, memberLevel: 'regular' })
    .total;

t.test('POST /walk-ins without a duration opens the room with open timing', async (t) => {
  // Opened now, on a venue of its own whose business day ends far from now.
  const { app, runner, venue } = await startServiceFromNow(t);
  const res = await call(app, {
    method: 'POST',
    url: '/walk-ins',
    headers: venue.waiter.auth,
    payload: { roomId: venue.rooms.medium[1], partySize: 5 },
  });
  t.equal(res.status, 201, res.raw);
  t.equal(res.body.status, 'checked_in');
  t.equal(res.body.openTiming, true);
  t.ok(Date.parse(res.body.end) > Date.parse(res.body.start), 'the room is held past its start');
  const out = await call(app, { method: 'POST', url: `/bookings/${res.body.id}/check-out`, headers: venue.waiter.auth, payload: {} });
  t.equal(out.status, 200, out.raw);
  t.match(out.body.bill.lines, [{ kind: 'room', description: 'Room 15 min (open timing)' }], 'left at once: one billing unit');
  t.equal(out.body.bill.due, out.body.bill.total, 'taken in cash at the desk');
  await runner.catchUp();
  const date = (await call(app, { method: 'GET', url: `/bookings/${res.body.id}`, headers: venue.waiter.auth })).body
    .businessDate as string;
  const trial = await call(app, { method: 'GET', url: `/ledger/trial-balance?asOf=${date}`, headers: venue.manager.auth });
  t.equal(trial.body.balanced, true, 'the ledger balances');
});

t.test('an open-timed room is taken until check-out: a hold later that night is refused and availability leaves it out', async (t) => {
  const roomId = venue.rooms.small[0]!;
  const booking = await openWalkIn(roomId, '20:00');
  // The business day ends at 06:00; the stay and its 15-minute cleaning buffer must end by then.
  t.equal(
    booking.end.toISOString(),
    addMinutes(businessDayBounds(booking.businessDate, await currentVenue(platform.store)).end, -15).toISOString(),
  );
  const hold = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: venue.waiter.auth,
    payload: { roomId, start: venue.at(1, '23:00').toISOString(), durationMinutes: 60, partySize: 2 },
  });
  t.equal(hold.status, 409, hold.raw);
  t.equal(hold.body.code, 'slot_taken');
  await runner.catchUp();
  const free = await call(app, {
    method: 'GET',
    url: `/availability?start=${encodeURIComponent(venue.at(1, '23:00').toISOString())}&durationMinutes=60&partySize=2&type=small`,
  });
  t.equal(free.status, 200);
  t.notOk(
    free.body.some((r: { roomId: string }) => r.roomId === roomId),
    'the open-timed room is not offered',
  );
  t.ok(free.body.length > 0, 'other small rooms are');

  t.test('check-out bills the time used by started quarter hours and frees the rest of the night', async (t) => {
    const bill = await checkOut(platform.store, booking, staff.userId, metadata, addMinutes(booking.start, 40));
    const expected = await priceOf('small', booking.start, 45);
    t.same(bill.lines, [{ kind: 'room', description: 'Room 45 min (open timing)', amount: expected }]);
    t.equal(bill.total, expected);
    const later = await call(app, {
      method: 'POST',
      url: '/bookings',
      headers: venue.waiter.auth,
      payload: { roomId, start: venue.at(1, '23:00').toISOString(), durationMinutes: 60, partySize: 2 },
    });
    t.equal(later.status, 201, later.raw);
  });
});

t.test('a stay of a few minutes costs one billing unit', async (t) => {
  const booking = await openWalkIn(venue.rooms.small[1]!, '19:00');
  const bill = await checkOut(platform.store, booking, staff.userId, metadata, addMinutes(booking.start, 3));
  t.same(bill.lines, [{ kind: 'room', description: 'Room 15 min (open timing)', amount: await priceOf('small', booking.start, 15) }]);
});

t.test('open timing stops at the next booking (less the cleaning buffer), and needs at least one unit free', async (t) => {
  const roomId = venue.rooms.small[2]!;
  const hold = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: venue.waiter.auth,
    payload: { roomId, start: venue.at(1, '22:00').toISOString(), durationMinutes: 60, partySize: 2 },
  });
  t.equal(hold.status, 201, hold.raw);
  // Confirmed, so it still holds the room tomorrow evening (an unpaid hold would have run out by then).
  const confirmed = await call(app, { method: 'POST', url: `/bookings/${hold.body.id}/confirm`, headers: venue.waiter.auth, payload: {} });
  t.equal(confirmed.status, 200, confirmed.raw);
  const booking = await openWalkIn(roomId, '18:00');
  t.equal(booking.end.toISOString(), venue.at(1, '21:45').toISOString());
  await checkOut(platform.store, booking, staff.userId, metadata, venue.at(1, '19:00'));
  await t.rejects(
    startWalkIn(at(ctx, venue.at(1, '21:35')), walkInInput(roomId), staff, metadata),
    { code: 'slot_taken' },
    'ten minutes before the next booking’s buffer is less than a unit',
  );
});

t.test('an open-timed stay has no end to extend', async (t) => {
  const booking = await openWalkIn(venue.rooms.large[0]!, '20:00');
  const res = await call(app, {
    method: 'POST',
    url: `/bookings/${booking.id}/extend`,
    headers: venue.waiter.auth,
    payload: { minutes: 30 },
  });
  t.equal(res.status, 409, res.raw);
  t.equal(res.body.code, 'open_timing');
});
