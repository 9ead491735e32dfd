import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp, type SignedIn } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { overlapsInLog as overlapsIn } from '../helpers/invariants.js';
import { expireHold } from '../../commands/bookings/expiry.js';
import { at } from '../helpers/clock.js';

const { app, platform } = await startTestService(t, { env: { DB_POOL_SIZE: '40' } });
const venue = await setUpVenue(app, platform);
const overlapsInLog = () => overlapsIn(platform.pool, platform.store);

t.test('200 concurrent holds for one slot: exactly one 201, the rest 409 slot_taken', async (t) => {
  const guests: SignedIn[] = [];
  for (let i = 0; i < 10; i++) guests.push(await signUp(app, platform.store, 'guest'));
  const roomId = venue.rooms.medium[0]!;
  const start = venue.at(2, '20:00').toISOString();
  const started = performance.now();
  const replies = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      call(app, {
        method: 'POST',
        url: '/bookings',
        headers: guests[i % 10]!.auth,
        payload: { roomId, start, durationMinutes: 120, partySize: 5 },
      }),
    ),
  );
  t.comment(`200 holds answered in ${Math.round(performance.now() - started)} ms`);
  const byStatus = new Map<number, number>();
  for (const r of replies) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  t.same(Object.fromEntries(byStatus), { 201: 1, 409: 199 });
  t.ok(
    replies.filter((r) => r.status === 409).every((r) => r.body.code === 'slot_taken'),
    'every refusal says slot_taken',
  );
  const winner = replies.find((r) => r.status === 201)!;
  const day = await platform.store.readStream(`roomday-${roomId}-${winner.body.businessDate}`);
  t.same(
    day.events.map((e) => e.type),
    ['RoomTimeReserved'],
    'the log holds one reservation',
  );
  t.same(await overlapsInLog(), []);
});

t.test('a randomized concurrent workload over a few rooms leaves no overlapping live reservations in the log', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const staff = venue.waiter;
  const rooms = [...venue.rooms.small, venue.rooms.medium[1]!];
  const slots = ['18:00', '18:30', '19:00', '19:15', '20:00', '20:45', '21:00', '22:00', '23:00'];
  const held: string[] = [];
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const counts: Record<string, number> = {};
  const op = async () => {
    const kind = held.length === 0 ? 'hold' : pick(['hold', 'hold', 'hold', 'confirm', 'extend', 'move', 'cancel', 'expire']);
    const id = held.length > 0 ? pick(held) : '';
    let r;
    switch (kind) {
      case 'hold':
        r = await call(app, {
          method: 'POST',
          url: '/bookings',
          headers: guest.auth,
          payload: {
            roomId: pick(rooms),
            start: venue.at(3, pick(slots)).toISOString(),
            durationMinutes: pick([60, 90, 120]),
            partySize: 2,
          },
        });
        if (r.status === 201) held.push(r.body.id);
        break;
      case 'confirm':
        r = await call(app, { method: 'POST', url: `/bookings/${id}/confirm`, headers: staff.auth });
        break;
      case 'extend':
        r = await call(app, {
          method: 'POST',
          url: `/bookings/${id}/extend`,
          headers: staff.auth,
          payload: { minutes: pick([15, 30, 60]) },
        });
        break;
      case 'move':
        r = await call(app, { method: 'POST', url: `/bookings/${id}/move`, headers: staff.auth, payload: { roomId: pick(rooms) } });
        break;
      case 'cancel':
        r = await call(app, { method: 'POST', url: `/bookings/${id}/cancel`, headers: staff.auth });
        break;
      case 'expire':
        await expireHold(at(platform, new Date(Date.now() + 16 * 60_000)), id);
        r = { status: 200 };
        break;
      default:
        throw new Error(kind);
    }
    counts[`${kind} ${r.status}`] = (counts[`${kind} ${r.status}`] ?? 0) + 1;
    if (r.status >= 500) throw new Error(`${kind} answered ${r.status}`);
  };
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      for (let i = 0; i < 25; i++) await op();
    }),
  );
  t.comment(JSON.stringify(counts));
  t.ok(counts['hold 201']! > 5 && counts['hold 409']! > 5, 'both winners and refusals happened');
  t.same(await overlapsInLog(), [], 'zero overlapping live reservations at any decision');
});
