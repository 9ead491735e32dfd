import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';

const { app, runner, platform } = await startTestService(t);
const { auth } = await signUp(app, platform.store, 'manager');

t.test('room types and rooms: commands append to their streams, the projection serves GET /rooms', async (t) => {
  const type = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: auth,
    payload: {
      id: 'medium',
      name: 'Medium',
      minCapacity: 5,
      maxCapacity: 8,
      devices: ['65in screen', '4 microphones'],
      cleaningBufferMinutes: 15,
    },
  });
  t.equal(type.status, 201);
  t.same(type.body, { id: 'medium' });
  const again = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: auth,
    payload: { id: 'medium', name: 'Medium', minCapacity: 5, maxCapacity: 8 },
  });
  t.equal(again.status, 409);
  t.equal(again.body.code, 'room_type_exists');

  const tooBig = await call(app, { method: 'POST', url: '/rooms', headers: auth, payload: { name: 'M01', type: 'medium', capacity: 12 } });
  t.equal(tooBig.status, 422);
  t.equal(tooBig.body.code, 'capacity_out_of_range');

  const room = await call(app, { method: 'POST', url: '/rooms', headers: auth, payload: { name: 'M01', type: 'medium', capacity: 8 } });
  t.equal(room.status, 201);
  const id = room.body.id as string;
  const stream = await platform.store.readStream(`room-${id}`);
  t.same(
    stream.events.map((e) => e.type),
    ['RoomRegistered'],
  );
  t.same(
    stream.events[0]?.data,
    { roomId: id, name: 'M01', roomTypeId: 'medium', capacity: 8, devices: ['65in screen', '4 microphones'] },
    'devices come from the type',
  );

  await runner.catchUp();
  const list = await call(app, { method: 'GET', url: '/rooms' });
  t.equal(list.status, 200);
  t.same(list.body, [
    {
      id,
      name: 'M01',
      type: 'medium',
      capacity: 8,
      status: 'in_service',
      devices: ['65in screen', '4 microphones'],
      outOfServiceReason: null,
    },
  ]);

  const out = await call(app, {
    method: 'POST',
    url: `/rooms/${id}/out-of-service`,
    headers: auth,
    payload: { reason: 'microphone broken' },
  });
  t.same(out.body, { id, status: 'out_of_service' });
  const outAgain = await call(app, {
    method: 'POST',
    url: `/rooms/${id}/out-of-service`,
    headers: auth,
    payload: { reason: 'still broken' },
  });
  t.equal(outAgain.status, 200, 'taking an out-of-service room out again changes nothing');
  t.equal((await platform.store.readStream(`room-${id}`)).events.length, 2);
  await runner.catchUp();
  const one = await call(app, { method: 'GET', url: `/rooms/${id}` });
  t.equal(one.body.status, 'out_of_service');
  t.equal(one.body.outOfServiceReason, 'microphone broken');

  const back = await call(app, { method: 'POST', url: `/rooms/${id}/return-to-service`, headers: auth });
  t.same(back.body, { id, status: 'in_service' });
  await runner.catchUp();
  t.equal((await call(app, { method: 'GET', url: `/rooms/${id}` })).body.status, 'in_service');

  const types = await call(app, { method: 'GET', url: '/room-types' });
  t.same(types.body, [
    { id: 'medium', name: 'Medium', minCapacity: 5, maxCapacity: 8, devices: ['65in screen', '4 microphones'], cleaningBufferMinutes: 15 },
  ]);
  const filtered = await call(app, { method: 'GET', url: '/rooms?type=small' });
  t.same(filtered.body, []);
});
