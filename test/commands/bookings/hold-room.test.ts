import t from 'tap';
import { startTestService } from '../../helpers/service.js';
import { call } from '../../helpers/http.js';
import { signUp } from '../../helpers/auth.js';
import { setUpVenue } from '../../helpers/venue.js';

// Two instances over one database: each remembers rooms as it last saw them.
const a = await startTestService(t);
const b = await startTestService(t, { databaseUrl: a.databaseUrl });
const venue = await setUpVenue(a.app, a.platform);
const [S01] = venue.rooms.small as [string];
const manager = venue.manager.auth;

const hold = (auth: Record<string, string>, hhmm: string) =>
  call(a.app, {
    method: 'POST',
    url: '/bookings',
    headers: auth,
    payload: { roomId: S01, start: venue.at(2, hhmm).toISOString(), durationMinutes: 60, partySize: 2 },
  });
const roomEvents = async () =>
  (await a.platform.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE stream_id LIKE $1`, [`roomday-${S01}-%`]))
    .rows[0]!.n;

t.test('a room taken out of service on another instance is refused by a hold decided on the room as remembered', async (t) => {
  const guest = await signUp(a.app, a.platform.store, 'guest');
  t.equal((await hold(guest.auth, '12:00')).status, 201, 'instance A now remembers the room in service');
  const out = await call(b.app, { method: 'POST', url: `/rooms/${S01}/out-of-service`, headers: manager, payload: { reason: 'flooded' } });
  t.equal(out.status, 200, 'taken out of service on instance B');
  const before = await roomEvents();
  const refused = await hold(guest.auth, '15:00');
  t.equal(refused.status, 409);
  t.equal(refused.body.code, 'room_out_of_service');
  t.equal(await roomEvents(), before, 'nothing written');

  const back = await call(b.app, { method: 'POST', url: `/rooms/${S01}/return-to-service`, headers: manager, payload: {} });
  t.equal(back.status, 200);
  t.equal((await hold(guest.auth, '18:00')).status, 201, 'the refusal remembered on A is read again, and the room takes holds');
});
