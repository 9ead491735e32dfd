import t from 'tap';
import { roomDecider, type RoomCommand } from '../../../commands/rooms/decider.js';
import type { RoomTypeState } from '../../../commands/room-types/decider.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../../src/errors.js';
import type { RoomEvent } from '../../../src/events/rooms.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** A room: registered against a defined room type, taken out of service and back. */
const spec = DeciderSpecification.for(roomDecider);

const now = new Date('2026-03-13T09:00:00+08:00');
const at = now.toISOString();

const medium: RoomTypeState = {
  status: 'defined',
  id: 'medium',
  name: 'Medium',
  minCapacity: 5,
  maxCapacity: 8,
  devices: ['karaoke', 'projector'],
  cleaningBufferMinutes: 15,
  retired: false,
};

const register = (over: Partial<Extract<RoomCommand, { type: 'RegisterRoom' }>> = {}): RoomCommand => ({
  type: 'RegisterRoom',
  roomId: 'room-m01',
  name: 'M01',
  capacity: 8,
  devices: ['karaoke', 'dance floor'],
  roomType: medium,
  roomTypeId: 'medium',
  ...over,
});
const registered: RoomEvent = {
  type: 'RoomRegistered',
  data: { roomId: 'room-m01', name: 'M01', roomTypeId: 'medium', capacity: 8, devices: ['karaoke', 'dance floor'] },
};
const outOfService: RoomEvent = { type: 'RoomTakenOutOfService', data: { roomId: 'room-m01', reason: 'screen broken', at } };
const backInService: RoomEvent = { type: 'RoomReturnedToService', data: { roomId: 'room-m01', at } };
const takeOut: RoomCommand = { type: 'TakeOutOfService', roomId: 'room-m01', reason: 'screen broken', now };
const returnToService: RoomCommand = { type: 'ReturnToService', roomId: 'room-m01', now };

t.test('register: a room is registered with its own devices', async (t) => {
  spec(t).given([]).when(register()).then([registered]);
});

t.test('register: a room listing no devices gets its room type’s devices', async (t) => {
  spec(t)
    .given([])
    .when(register({ devices: [] }))
    .then([{ type: 'RoomRegistered', data: { ...registered.data, devices: ['karaoke', 'projector'] } }]);
});

t.test('register: the capacity may be anything within the room type’s range, both ends included', async (t) => {
  spec(t)
    .given([])
    .when(register({ capacity: 5 }))
    .then([{ type: 'RoomRegistered', data: { ...registered.data, capacity: 5 } }], 'the minimum');
  spec(t)
    .given([])
    .when(register({ capacity: 8 }))
    .then([registered], 'the maximum');
});

t.test('register: a capacity outside the room type’s range is refused with capacity_out_of_range', async (t) => {
  const refusal = { is: UnprocessableError, status: 422, detail: { field: 'capacity', minCapacity: 5, maxCapacity: 8 } } as const;
  spec(t)
    .given([])
    .when(register({ capacity: 4 }))
    .thenThrows('capacity_out_of_range', refusal, 'too few');
  spec(t)
    .given([])
    .when(register({ capacity: 9 }))
    .thenThrows('capacity_out_of_range', refusal, 'too many');
});

t.test('register: a room of an undefined room type is refused with unknown_room_type', async (t) => {
  spec(t)
    .given([])
    .when(register({ roomType: { status: 'none' }, roomTypeId: 'ballroom' }))
    .thenThrows('unknown_room_type', { is: UnprocessableError, status: 422, detail: { field: 'type' } });
});

t.test('register: registering an existing room again is refused with room_exists', async (t) => {
  spec(t).given([registered]).when(register()).thenThrows('room_exists', { is: ConflictError, status: 409 });
});

t.test('out of service: a room in service is taken out of service with the reason', async (t) => {
  spec(t).given([registered]).when(takeOut).then([outOfService]);
});

t.test('out of service: taking a room out of service twice records nothing', async (t) => {
  spec(t).given([registered, outOfService]).when(takeOut).thenNothing();
});

t.test('back in service: a room out of service returns to service', async (t) => {
  spec(t).given([registered, outOfService]).when(returnToService).then([backInService]);
});

t.test('back in service: a room already in service records nothing', async (t) => {
  spec(t).given([registered]).when(returnToService).thenNothing('never out');
  spec(t).given([registered, outOfService, backInService]).when(returnToService).thenNothing('returned already');
});

t.test('out of service / back in service: an unknown room is refused with not_found', async (t) => {
  spec(t)
    .given([])
    .when(takeOut)
    .thenThrows('not_found', { is: NotFoundError, status: 404, detail: { resource: 'room', id: 'room-m01' } });
  spec(t)
    .given([])
    .when(returnToService)
    .thenThrows('not_found', { is: NotFoundError, status: 404, detail: { resource: 'room', id: 'room-m01' } });
});

t.test('state: a room back in service forgets why it was out', async (t) => {
  const fold = (events: readonly RoomEvent[]) => events.reduce(roomDecider.evolve, roomDecider.initialState());
  t.strictSame(fold([registered, outOfService]), {
    status: 'out_of_service',
    id: 'room-m01',
    name: 'M01',
    roomTypeId: 'medium',
    capacity: 8,
    devices: ['karaoke', 'dance floor'],
    reason: 'screen broken',
  });
  t.strictSame(fold([registered, outOfService, backInService]), {
    status: 'in_service',
    id: 'room-m01',
    name: 'M01',
    roomTypeId: 'medium',
    capacity: 8,
    devices: ['karaoke', 'dance floor'],
  });
});

t.test('retire: a room in service is taken out of service and retired in one decision; retiring again changes nothing', async (t) => {
  const retire: RoomCommand = { type: 'Retire', roomId: 'room-m01', reason: 'merged', now };
  const retired: RoomEvent = { type: 'RoomRetired', data: { roomId: 'room-m01', reason: 'merged', at } };
  spec(t)
    .given([registered])
    .when(retire)
    .then([{ type: 'RoomTakenOutOfService', data: { roomId: 'room-m01', reason: 'retired: merged', at } }, retired]);
  spec(t).given([registered, outOfService]).when(retire).then([retired]);
  spec(t).given([registered, outOfService, retired]).when(retire).thenNothing();
  spec(t).given([registered, outOfService, retired]).when(returnToService).thenThrows('room_retired', { status: 409 });
});

t.test('change: a room’s name, capacity and devices change within its type’s range', async (t) => {
  const change = (capacity: number): RoomCommand => ({
    type: 'ChangeRoom',
    roomId: 'room-m01',
    name: 'M01 Star',
    capacity,
    devices: ['karaoke'],
    roomType: medium,
    now,
  });
  spec(t)
    .given([registered])
    .when(change(6))
    .then([{ type: 'RoomChanged', data: { roomId: 'room-m01', name: 'M01 Star', capacity: 6, devices: ['karaoke'], at } }]);
  spec(t).given([registered]).when(change(9)).thenThrows('capacity_out_of_range', { status: 422 });
});
