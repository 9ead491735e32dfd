import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { guestHoldInput, setUpVenue, startServiceFromNow } from '../helpers/venue.js';
import { holdBooking } from '../../commands/bookings/hold.js';
import { confirmBooking } from '../../commands/bookings/confirm.js';
import { expireHold } from '../../commands/bookings/expiry.js';
import { loadBooking } from '../../commands/bookings/context.js';
import { at } from '../helpers/clock.js';
import { roomDayStream } from '../../src/events/bookings.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const [S01, S02, S03] = venue.rooms.small as [string, string, string];
const [M01] = venue.rooms.medium as [string, string];

const book = (auth: Record<string, string>, payload: object, on = app) =>
  call(on, { method: 'POST', url: '/bookings', headers: auth, payload });
const iso = (d: Date) => d.toISOString();

t.test('a hold: 201 with hold expiry and price; the slot and its cleaning buffer are then taken', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const other = await signUp(app, platform.store, 'guest');
  const start = venue.at(3, '20:00');
  const held = await book(guest.auth, { roomId: S01, start: iso(start), durationMinutes: 120, partySize: 3 });
  t.equal(held.status, 201);
  t.equal(held.body.status, 'held');
  t.equal(held.body.price.currency, 'CNY');
  t.ok(held.body.price.total > 0 && held.body.price.deposit >= 5000, `price ${held.body.price.total}, deposit ${held.body.price.deposit}`);
  const expiresIn = Date.parse(held.body.holdExpiresAt) - Date.now();
  t.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, 'the hold lasts 15 minutes');

  const same = await book(other.auth, { roomId: S01, start: iso(start), durationMinutes: 120, partySize: 2 });
  t.equal(same.status, 409);
  t.equal(same.body.code, 'slot_taken');
  const inBuffer = await book(other.auth, { roomId: S01, start: iso(venue.at(3, '22:00')), durationMinutes: 60, partySize: 2 });
  t.equal(inBuffer.status, 409, 'the 15-minute cleaning buffer after 22:00 is taken too');
  const before = await book(other.auth, { roomId: S01, start: iso(venue.at(3, '18:00')), durationMinutes: 120, partySize: 2 });
  t.equal(before.status, 409, 'a booking ending at 20:00 clashes: its cleaning runs into 20:00');
  const touching = await book(other.auth, { roomId: S01, start: iso(venue.at(3, '18:45')), durationMinutes: 60, partySize: 2 });
  t.equal(touching.status, 201, 'ending 19:45, cleaned by 20:00: fits');
  const after = await book(other.auth, { roomId: S01, start: iso(venue.at(3, '22:15')), durationMinutes: 60, partySize: 2 });
  t.equal(after.status, 201, 'after the buffer the room is free');
  const elsewhere = await book(other.auth, { roomId: S02, start: iso(start), durationMinutes: 120, partySize: 2 });
  t.equal(elsewhere.status, 201, 'another room is unaffected');
});

t.test('23:00–02:00 and 01:00–02:00 clash: one business day, one stream', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const late = await book(guest.auth, { roomId: S03, start: iso(venue.at(4, '23:00')), durationMinutes: 180, partySize: 2 });
  t.equal(late.status, 201);
  t.equal(
    late.body.businessDate,
    (
      await call(app, {
        method: 'POST',
        url: '/bookings',
        headers: guest.auth,
        payload: { roomId: S02, start: iso(venue.at(4, '01:00')), durationMinutes: 60, partySize: 2 },
      })
    ).body.businessDate,
  );
  const clash = await book(guest.auth, { roomId: S03, start: iso(venue.at(4, '01:00')), durationMinutes: 60, partySize: 2 });
  t.equal(clash.status, 409);
  t.equal(clash.body.code, 'slot_taken');
  const crossing = await book(guest.auth, { roomId: S03, start: iso(venue.at(4, '05:00')), durationMinutes: 60, partySize: 2 });
  t.equal(crossing.status, 422, 'time and buffer must end by 06:00');
  t.equal(crossing.body.code, 'crosses_business_day');
});

t.test('refusals: 422 for party size, the past, the grid, duration, opening hours; 404 unknown room; nothing appended', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const count = async () =>
    (
      await platform.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'roomday-%' OR stream_id LIKE 'booking-%'",
      )
    ).rows[0]!.n;
  const before = await count();
  const cases: [object, number, string][] = [
    [{ roomId: S01, start: iso(venue.at(5, '20:00')), durationMinutes: 60, partySize: 9 }, 422, 'party_too_large'],
    [{ roomId: S01, start: iso(new Date(Date.now() - 3_600_000)), durationMinutes: 60, partySize: 2 }, 422, 'in_the_past'],
    [{ roomId: S01, start: iso(venue.at(5, '20:07')), durationMinutes: 60, partySize: 2 }, 422, 'off_grid'],
    [{ roomId: S01, start: iso(venue.at(5, '20:00')), durationMinutes: 50, partySize: 2 }, 422, 'invalid_duration'],
    [{ roomId: S01, start: iso(venue.at(5, '08:00')), durationMinutes: 13 * 60, partySize: 2 }, 422, 'invalid_duration'],
    [{ roomId: S01, start: '2026-13-45T99:00:00+08:00', durationMinutes: 60, partySize: 2 }, 422, 'validation_failed'],
    [{ roomId: S01, start: iso(venue.at(5, '20:00')), durationMinutes: 0, partySize: 2 }, 422, 'validation_failed'],
    [{ roomId: S01, start: iso(venue.at(5, '20:00')), durationMinutes: 60, partySize: -1 }, 422, 'validation_failed'],
    [{ roomId: 'no-such-room', start: iso(venue.at(5, '20:00')), durationMinutes: 60, partySize: 2 }, 404, 'not_found'],
  ];
  for (const [payload, status, code] of cases) {
    const r = await book(guest.auth, payload);
    t.equal(r.status, status, `${code}: ${JSON.stringify(payload)}`);
    t.equal(r.body.code, code);
  }
  t.equal(await count(), before, 'no room-day or booking event from any refusal');

  const closed = await startTestService(t);
  const nightOnly = await setUpVenue(closed.app, closed.platform, { openAllDay: false, opensAtMinute: 12 * 60, closesAtMinute: 2 * 60 });
  const g = await signUp(closed.app, closed.platform.store, 'guest');
  const morning = await call(closed.app, {
    method: 'POST',
    url: '/bookings',
    headers: g.auth,
    payload: { roomId: nightOnly.rooms.small[0], start: iso(nightOnly.at(2, '10:00')), durationMinutes: 60, partySize: 2 },
  });
  t.equal(morning.body.code, 'outside_opening_hours');
  const pastClosing = await call(closed.app, {
    method: 'POST',
    url: '/bookings',
    headers: g.auth,
    payload: { roomId: nightOnly.rooms.small[0], start: iso(nightOnly.at(2, '01:00')), durationMinutes: 120, partySize: 2 },
  });
  t.equal(pastClosing.body.code, 'outside_opening_hours', 'past 02:00 closing');
  const open = await call(closed.app, {
    method: 'POST',
    url: '/bookings',
    headers: g.auth,
    payload: { roomId: nightOnly.rooms.small[0], start: iso(nightOnly.at(2, '23:00')), durationMinutes: 180, partySize: 2 },
  });
  t.equal(open.status, 201, '23:00–02:00 across midnight is within 12:00–02:00');
});

t.test('the whole life: hold, confirm, check-in, extend, check-out with the bill', async (t) => {
  const { app, platform, venue } = await startServiceFromNow(t);
  const M01 = venue.rooms.medium[0]!;
  const guest = await signUp(app, platform.store, 'guest');
  // The next grid slot from now, so check-in (from 30 minutes before) is open.
  const start = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000);
  const held = await book(guest.auth, { roomId: M01, start: iso(start), durationMinutes: 60, partySize: 6 }, app);
  t.equal(held.status, 201, JSON.stringify(held.body));
  const id = held.body.id as string;
  const early = await call(app, { method: 'POST', url: `/bookings/${id}/check-in`, headers: venue.waiter.auth });
  t.equal(early.status, 409, 'not confirmed yet');
  t.equal(early.body.code, 'booking_held');
  t.equal(
    (await call(app, { method: 'POST', url: `/bookings/${id}/confirm`, headers: guest.auth })).status,
    403,
    'guests cannot confirm without paying',
  );
  t.equal((await call(app, { method: 'POST', url: `/bookings/${id}/confirm`, headers: venue.waiter.auth })).status, 200);
  const checkedIn = await call(app, { method: 'POST', url: `/bookings/${id}/check-in`, headers: venue.waiter.auth });
  t.same(checkedIn.body, { id, status: 'checked_in' });
  // Two waiters click "extend 30 minutes" on the same screen at once: the room time is claimed once, and billed once.
  const both = await Promise.all(
    [1, 2].map(() => call(app, { method: 'POST', url: `/bookings/${id}/extend`, headers: venue.waiter.auth, payload: { minutes: 30 } })),
  );
  const [extended, twice] = both.sort((a, b) => b.body.price.extension - a.body.price.extension);
  t.equal(extended!.status, 200);
  t.equal(twice!.status, 200);
  t.equal(Date.parse(extended!.body.end), start.getTime() + 90 * 60_000);
  t.equal(extended!.body.price.total, held.body.price.total + extended!.body.price.extension);
  t.same(
    twice!.body,
    { ...extended!.body, price: { ...extended!.body.price, extension: 0 } },
    'the second answer shows the same booking and no further charge',
  );
  const out = await call(app, { method: 'POST', url: `/bookings/${id}/check-out`, headers: venue.waiter.auth });
  t.equal(out.body.status, 'checked_out');
  t.same(out.body.bill, {
    total: extended!.body.price.total,
    paid: held.body.price.deposit,
    due: extended!.body.price.total - held.body.price.deposit,
    refund: 0,
    currency: 'CNY',
    lines: [
      { kind: 'room', description: 'Room', amount: held.body.price.total },
      { kind: 'extension', description: 'Extension', amount: extended!.body.price.extension },
    ],
  });
  const events = (await platform.store.readStream(`booking-${id}`)).events.map((e) => e.type);
  t.same(events, ['BookingHeld', 'BookingConfirmed', 'BookingCheckedIn', 'BookingExtended', 'BookingCheckedOut']);
  const day = (await platform.store.readStream(roomDayStream(M01, held.body.businessDate))).events.map((e) => e.type);
  t.same(day, ['RoomTimeReserved', 'RoomTimeConfirmed', 'RoomTimeExtended', 'RoomTimeEnded']);
  t.equal(
    (await call(app, { method: 'POST', url: `/bookings/${id}/check-in`, headers: guest.auth })).status,
    403,
    'guests do not open rooms',
  );
});

t.test('check-in opens 30 minutes before the start', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const held = await book(guest.auth, { roomId: S02, start: iso(venue.at(6, '20:00')), durationMinutes: 60, partySize: 2 });
  await call(app, { method: 'POST', url: `/bookings/${held.body.id}/confirm`, headers: venue.waiter.auth });
  const early = await call(app, { method: 'POST', url: `/bookings/${held.body.id}/check-in`, headers: venue.waiter.auth });
  t.equal(early.status, 409);
  t.equal(early.body.code, 'check_in_too_early');
});

t.test('cancel: full refund of the deposit up to 2 h before, none after, staff override with a reason', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const held = await book(guest.auth, { roomId: S03, start: iso(venue.at(7, '20:00')), durationMinutes: 60, partySize: 2 });
  await call(app, { method: 'POST', url: `/bookings/${held.body.id}/confirm`, headers: venue.waiter.auth });
  const cancelled = await call(app, { method: 'POST', url: `/bookings/${held.body.id}/cancel`, headers: guest.auth });
  t.same(cancelled.body, { id: held.body.id, status: 'cancelled', refund: { total: held.body.price.deposit, currency: 'CNY' } });
  const again = await book(guest.auth, { roomId: S03, start: iso(venue.at(7, '20:00')), durationMinutes: 60, partySize: 2 });
  t.equal(again.status, 201, 'the room time is free again');

  // An hour from now, on a venue of its own whose business day ends far from now.
  t.test('within two hours of the start: no refund, unless staff override with a reason', async (t) => {
    const { app, platform, venue } = await startServiceFromNow(t);
    const [S01] = venue.rooms.small as [string];
    const L01 = venue.rooms.large[0]!;
    const guest = await signUp(app, platform.store, 'guest');
    const actor = { userId: guest.userId, staff: false };
    const soon = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000 + 3_600_000);
    const late = await holdBooking(
      platform,
      {
        roomId: L01,
        start: soon,
        durationMinutes: 60,
        partySize: 10,
        guestId: guest.userId,
        memberLevel: 'regular',
        guestName: null,
        guestPhone: null,
      },
      actor,
      {},
    );
    await confirmBooking(platform.store, late.bookingId, { paymentId: null, amount: late.price.deposit, by: 'test' }, {}, new Date());
    const noRefund = await call(app, { method: 'POST', url: `/bookings/${late.bookingId}/cancel`, headers: guest.auth });
    t.equal(noRefund.body.refund.total, 0);
    const late2 = await holdBooking(platform, guestHoldInput(guest.userId, S01, soon), actor, {});
    await confirmBooking(platform.store, late2.bookingId, { paymentId: null, amount: late2.price.deposit, by: 'test' }, {}, new Date());
    t.equal(
      (
        await call(app, {
          method: 'POST',
          url: `/bookings/${late2.bookingId}/cancel`,
          headers: guest.auth,
          payload: { overrideRefund: true, reason: 'please' },
        })
      ).status,
      403,
    );
    t.equal(
      (
        await call(app, {
          method: 'POST',
          url: `/bookings/${late2.bookingId}/cancel`,
          headers: venue.waiter.auth,
          payload: { overrideRefund: true },
        })
      ).body.code,
      'reason_required',
    );
    const overridden = await call(app, {
      method: 'POST',
      url: `/bookings/${late2.bookingId}/cancel`,
      headers: venue.waiter.auth,
      payload: { overrideRefund: true, reason: 'fire alarm' },
    });
    t.equal(overridden.body.refund.total, late2.price.deposit);
  });
});

t.test('another guest gets 404 for a booking that is not theirs', async (t) => {
  const owner = await signUp(app, platform.store, 'guest');
  const stranger = await signUp(app, platform.store, 'guest');
  const held = await book(owner.auth, { roomId: S02, start: iso(venue.at(8, '20:00')), durationMinutes: 60, partySize: 2 });
  const r = await call(app, { method: 'POST', url: `/bookings/${held.body.id}/cancel`, headers: stranger.auth });
  t.equal(r.status, 404);
  t.equal(r.body.code, 'not_found');
});

t.test('hold expiry: an expired hold frees its time at once and the expiry is recorded idempotently', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const actor = { userId: guest.userId, staff: false };
  const start = venue.at(9, '20:00');
  const longAgo = new Date(Date.now() - 20 * 60_000);
  const stale = await holdBooking(at(platform, longAgo), guestHoldInput(guest.userId, S01, start), actor, {});
  const fresh = await book(guest.auth, { roomId: S01, start: iso(start), durationMinutes: 60, partySize: 2 });
  t.equal(fresh.status, 201, 'a hold past its expiry no longer takes the room, even before the expiry job ran');
  t.equal(await expireHold(platform, stale.bookingId), true);
  t.equal(await expireHold(platform, stale.bookingId), false, 'running it again changes nothing');
  const late = await confirmBooking(platform.store, stale.bookingId, { paymentId: 'p', amount: 1, by: 'x' }, {}, new Date()).catch(
    (e: { code?: string }) => e.code,
  );
  t.equal(late, 'booking_expired', 'a late payment cannot confirm it');
  t.equal(await expireHold(platform, fresh.body.id), false, 'an unexpired hold is left alone');
});

t.test('move (换房): to a free room of enough capacity; the old room is released, the price difference applied', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const held = await book(guest.auth, { roomId: S02, start: iso(venue.at(10, '20:00')), durationMinutes: 120, partySize: 4 });
  const blocker = await book(guest.auth, { roomId: S01, start: iso(venue.at(10, '20:00')), durationMinutes: 60, partySize: 2 });
  t.equal(blocker.status, 201);
  const taken = await call(app, {
    method: 'POST',
    url: `/bookings/${held.body.id}/move`,
    headers: venue.waiter.auth,
    payload: { roomId: S01 },
  });
  t.equal(taken.body.code, 'slot_taken');
  const tooSmall = await call(app, {
    method: 'POST',
    url: `/bookings/${held.body.id}/move`,
    headers: venue.waiter.auth,
    payload: { roomId: S03 },
  });
  t.equal(tooSmall.body.code, 'party_too_large', 'S03 holds three');
  const moved = await call(app, {
    method: 'POST',
    url: `/bookings/${held.body.id}/move`,
    headers: venue.waiter.auth,
    payload: { roomId: M01 },
  });
  t.equal(moved.status, 200);
  t.equal(moved.body.roomId, M01);
  t.ok(moved.body.priceDifference > 0, 'a medium room costs more');
  t.equal(moved.body.total, held.body.price.total + moved.body.priceDifference);
  const freed = await book(guest.auth, { roomId: S02, start: iso(venue.at(10, '20:00')), durationMinutes: 120, partySize: 2 });
  t.equal(freed.status, 201, 'the old room is free');
  const blocked = await book(guest.auth, { roomId: M01, start: iso(venue.at(10, '20:00')), durationMinutes: 60, partySize: 5 });
  t.equal(blocked.status, 409, 'the new room is taken');
});

t.test('no-show after the grace period forfeits the deposit; walk-ins open a room now', async (t) => {
  const { app, platform, venue } = await startServiceFromNow(t);
  const [S01] = venue.rooms.small as [string];
  const L01 = venue.rooms.large[0]!;
  const guest = await signUp(app, platform.store, 'guest');
  const actor = { userId: guest.userId, staff: false };
  const start = new Date(Math.floor((Date.now() - 3_600_000) / 900_000) * 900_000);
  const past = await holdBooking(
    at(platform, new Date(start.getTime() - 3_600_000)),
    {
      roomId: L01,
      start,
      durationMinutes: 180,
      partySize: 9,
      guestId: guest.userId,
      memberLevel: 'regular',
      guestName: null,
      guestPhone: null,
    },
    actor,
    {},
  );
  await confirmBooking(
    platform.store,
    past.bookingId,
    { paymentId: null, amount: past.price.deposit, by: 'test' },
    {},
    new Date(start.getTime() - 3_500_000),
  );
  const noShow = await call(app, { method: 'POST', url: `/bookings/${past.bookingId}/no-show`, headers: venue.waiter.auth });
  t.same(noShow.body, { id: past.bookingId, status: 'no_show', forfeited: past.price.deposit });
  const b = await loadBooking(platform.store, past.bookingId, { userId: 'x', staff: true });
  t.equal(b.status, 'no_show');
  const again = await call(app, { method: 'POST', url: `/bookings/${past.bookingId}/no-show`, headers: venue.waiter.auth });
  t.same(again.body, { id: past.bookingId, status: 'no_show', forfeited: 0 }, 'marking it again forfeits nothing more');

  const walkIn = await call(app, {
    method: 'POST',
    url: '/walk-ins',
    headers: venue.waiter.auth,
    payload: { roomId: L01, durationMinutes: 60, partySize: 10, guestName: 'Li' },
  });
  t.equal(walkIn.status, 201, JSON.stringify(walkIn.body));
  t.equal(walkIn.body.status, 'checked_in');
  const second = await call(app, {
    method: 'POST',
    url: '/walk-ins',
    headers: venue.waiter.auth,
    payload: { roomId: L01, durationMinutes: 60, partySize: 10 },
  });
  t.equal(second.body.code, 'slot_taken', 'the room is in use now');
  t.equal(
    (
      await call(app, {
        method: 'POST',
        url: '/walk-ins',
        headers: guest.auth,
        payload: { roomId: S01, durationMinutes: 60, partySize: 2 },
      })
    ).status,
    403,
  );
});

t.test(
  'a room of a type the rate card does not price: left out of availability, a hold, walk-in or move to it is 409 room_not_priced',
  async (t) => {
    // A room type created after the rate card was published has no rates in it.
    const manager = venue.manager;
    t.equal(
      (
        await call(app, {
          method: 'POST',
          url: '/room-types',
          headers: manager.auth,
          payload: { id: 'vip', name: 'VIP', minCapacity: 2, maxCapacity: 6, cleaningBufferMinutes: 15 },
        })
      ).status,
      201,
    );
    const vip = await call(app, {
      method: 'POST',
      url: '/rooms',
      headers: manager.auth,
      payload: { name: 'V01', type: 'vip', capacity: 6 },
    });
    t.equal(vip.status, 201);
    const V01 = vip.body.id as string;
    await runner.catchUp();
    const start = venue.at(12, '20:00');
    const offers = await call(app, {
      method: 'GET',
      url: `/availability?${new URLSearchParams({ start: iso(start), durationMinutes: '60', partySize: '2' })}`,
    });
    t.equal(offers.status, 200, offers.raw);
    const ids = (offers.body as { roomId: string }[]).map((o) => o.roomId);
    t.ok(ids.includes(S01), 'priced rooms are offered');
    t.notOk(ids.includes(V01), 'the unpriced room is not');

    const guest = await signUp(app, platform.store, 'guest');
    const hold = await book(guest.auth, { roomId: V01, start: iso(start), durationMinutes: 60, partySize: 2 });
    t.equal(hold.status, 409);
    t.equal(hold.body.code, 'room_not_priced');
    const walkIn = await call(app, {
      method: 'POST',
      url: '/walk-ins',
      headers: venue.waiter.auth,
      payload: { roomId: V01, durationMinutes: 60, partySize: 2 },
    });
    t.equal(walkIn.status, 409);
    t.equal(walkIn.body.code, 'room_not_priced');
    const held = await book(guest.auth, { roomId: S03, start: iso(start), durationMinutes: 60, partySize: 2 });
    t.equal(held.status, 201);
    const moved = await call(app, {
      method: 'POST',
      url: `/bookings/${held.body.id}/move`,
      headers: venue.waiter.auth,
      payload: { roomId: V01 },
    });
    t.equal(moved.status, 409);
    t.equal(moved.body.code, 'room_not_priced');
    const quoted = await call(app, {
      method: 'GET',
      url: `/quote?${new URLSearchParams({ roomId: V01, start: iso(start), durationMinutes: '60' })}`,
    });
    t.equal(quoted.body.code, 'room_not_priced');
  },
);
