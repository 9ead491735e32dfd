import t from 'tap';
import { startTestService } from '../../helpers/service.js';
import { call } from '../../helpers/http.js';
import { dayEndFarFromNow, setUpVenue } from '../../helpers/venue.js';

const { app, platform } = await startTestService(t);
// Walk-ins of the hour from now.
const venue = await setUpVenue(app, platform, dayEndFarFromNow());
const auth = venue.waiter.auth;
const room = venue.rooms.small[0]!;

const walkIn = () =>
  call(app, { method: 'POST', url: '/walk-ins', headers: auth, payload: { roomId: room, partySize: 3, durationMinutes: 60 } });
const cleaned = (id = room) => call(app, { method: 'POST', url: `/rooms/${id}/cleaned`, headers: auth });

t.test('POST /rooms/:id/cleaned ends the cleaning buffer so a walk-in right after is accepted', async (t) => {
  const before = await cleaned();
  t.equal(before.status, 409, 'nobody has left the room yet');
  t.equal(before.body.code, 'not_cleaning');

  const first = await walkIn();
  t.equal(first.status, 201);
  const out = await call(app, {
    method: 'POST',
    url: `/bookings/${first.body.id}/check-out`,
    headers: auth,
    payload: { settlement: 'cash' },
  });
  t.equal(out.status, 200);

  const tooSoon = await walkIn();
  t.equal(tooSoon.status, 409, 'the 15-minute cleaning buffer holds the room');
  t.equal(tooSoon.body.code, 'slot_taken');

  const done = await cleaned();
  t.equal(done.status, 200);
  t.same(done.body, { roomId: room, state: 'free' });
  t.match(done.headers['event-position'], /.+/, 'answers with the feed position like every command');

  const again = await walkIn();
  t.equal(again.status, 201, 'the room is taken again at once');

  const twice = await cleaned();
  t.equal(twice.status, 409, 'a room with a party in it is not waiting for cleaning');
  t.equal(twice.body.code, 'not_cleaning');
});

t.test('an unknown room is 404; without a token 401', async (t) => {
  t.equal((await cleaned('00000000-0000-4000-8000-000000000000')).status, 404);
  t.equal((await cleaned('not-a-room')).status, 404);
  const guest = await call(app, { method: 'POST', url: `/rooms/${room}/cleaned` });
  t.equal(guest.status, 401);
});
