import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { setUpVenue } from '../helpers/venue.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const { manager, waiter } = venue;
const send = (method: 'POST' | 'PUT' | 'GET', url: string, auth: Record<string, string>, payload?: object) =>
  call(app, { method, url, headers: auth, ...(payload ? { payload } : {}) });

t.test('a manager renames a room, sets its capacity and devices; the catalogue and the board follow', async (t) => {
  const id = venue.rooms.medium[0]!;
  const body = { name: 'M01 Star', capacity: 6, devices: ['karaoke', 'dance floor'] };
  t.equal((await send('PUT', `/rooms/${id}`, waiter.auth, body)).status, 403, 'not a waiter');
  const tooBig = await send('PUT', `/rooms/${id}`, manager.auth, { ...body, capacity: 12 });
  t.equal(tooBig.status, 422);
  t.equal(tooBig.body.code, 'capacity_out_of_range');
  const res = await send('PUT', `/rooms/${id}`, manager.auth, body);
  t.equal(res.status, 200, res.raw);
  t.same(res.body, { id, status: 'in_service' });
  await runner.catchUp();
  const room = (await send('GET', '/rooms', waiter.auth)).body.find((r: { id: string }) => r.id === id);
  t.match(room, { name: 'M01 Star', capacity: 6, devices: ['karaoke', 'dance floor'] });
  const board = await send('GET', '/board', waiter.auth);
  t.match(
    board.body.rooms.find((r: { roomId: string }) => r.roomId === id),
    { name: 'M01 Star', capacity: 6 },
  );
  const party = await send('POST', '/walk-ins', waiter.auth, { roomId: id, durationMinutes: 60, partySize: 7 });
  t.equal(party.body.code, 'party_too_large', 'holds and walk-ins go by the new capacity');
});

t.test('a retired room is out of service for good and leaves the catalogue', async (t) => {
  const id = venue.rooms.small[2]!;
  const res = await send('POST', `/rooms/${id}/retire`, manager.auth, { reason: 'merged into S02' });
  t.equal(res.status, 200, res.raw);
  t.same(res.body, { id, status: 'retired' });
  const walkIn = await send('POST', '/walk-ins', waiter.auth, { roomId: id, durationMinutes: 60, partySize: 2 });
  t.equal(walkIn.status, 409);
  t.equal(walkIn.body.code, 'room_out_of_service');
  const back = await send('POST', `/rooms/${id}/return-to-service`, waiter.auth);
  t.equal(back.body.code, 'room_retired');
  const edit = await send('PUT', `/rooms/${id}`, manager.auth, { name: 'S03', capacity: 3, devices: [] });
  t.equal(edit.body.code, 'room_retired');
  await runner.catchUp();
  const rooms = (await send('GET', '/rooms', waiter.auth)).body as { id: string }[];
  t.notOk(rooms.some((r) => r.id === id));
  const board = await send('GET', '/board', waiter.auth);
  t.match(
    board.body.rooms.find((r: { roomId: string }) => r.roomId === id),
    { state: 'out_of_service' },
  );
});

t.test('a manager changes a room type and retires one: no new rooms of a retired type', async (t) => {
  const change = { name: 'Small room', minCapacity: 2, maxCapacity: 4, devices: ['mic'], cleaningBufferMinutes: 10 };
  const res = await send('PUT', '/room-types/small', manager.auth, change);
  t.equal(res.status, 200, res.raw);
  t.equal((await send('PUT', '/room-types/nosuch', manager.auth, change)).status, 404);
  t.equal((await send('PUT', '/room-types/small', manager.auth, { ...change, minCapacity: 5 })).body.code, 'validation_failed');
  const retired = await send('POST', '/room-types/large/retire', manager.auth);
  t.equal(retired.status, 200, retired.raw);
  const room = await send('POST', '/rooms', manager.auth, { name: 'L02', type: 'large', capacity: 12 });
  t.equal(room.status, 422);
  t.equal(room.body.code, 'room_type_retired');
  await runner.catchUp();
  const types = (await send('GET', '/room-types', waiter.auth)).body as { id: string; cleaningBufferMinutes: number }[];
  t.notOk(types.some((r) => r.id === 'large'));
  t.equal(types.find((r) => r.id === 'small')?.cleaningBufferMinutes, 10);
});
