import t from 'tap';
import { roomsProjection, type RoomRow, type RoomsDatabase } from '../../projections/rooms.js';
import type { RoomEvent, RoomTypeEvent } from '../../src/events/rooms.js';
import { ProjectionSpecification, RECORDED_AT } from '../helpers/projection-spec.js';

/**
 * The room catalogue (`rm.room_types`, `rm.rooms`). Room types and rooms carry
 * no time of their own: `defined_at`, `registered_at` and `updated_at` are when
 * the store recorded the event.
 */
const spec = ProjectionSpecification.for<RoomsDatabase>(t, roomsProjection);

const later = new Date('2026-03-14T10:30:00.000Z');
const muchLater = new Date('2026-03-15T02:00:00.000Z');

const smallType: RoomTypeEvent = {
  type: 'RoomTypeDefined',
  data: { roomTypeId: 'small', name: 'Small', minCapacity: 2, maxCapacity: 4, devices: ['mic', 'screen'], cleaningBufferMinutes: 15 },
};
const largeType: RoomTypeEvent = {
  type: 'RoomTypeDefined',
  data: { roomTypeId: 'large', name: 'Large', minCapacity: 9, maxCapacity: 15, devices: [], cleaningBufferMinutes: 20 },
};
const s01: RoomEvent = {
  type: 'RoomRegistered',
  data: { roomId: 'room-s01', name: 'S01', roomTypeId: 'small', capacity: 4, devices: ['mic', 'screen', 'tambourine'] },
};
const s02: RoomEvent = {
  type: 'RoomRegistered',
  data: { roomId: 'room-s02', name: 'S02', roomTypeId: 'small', capacity: 3, devices: ['mic'] },
};
const outOfService = (roomId: string, reason: string, at: Date): RoomEvent & { createdAt: Date } => ({
  type: 'RoomTakenOutOfService',
  data: { roomId, reason, at: at.toISOString() },
  createdAt: at,
});
const backInService = (roomId: string, at: Date): RoomEvent & { createdAt: Date } => ({
  type: 'RoomReturnedToService',
  data: { roomId, at: at.toISOString() },
  createdAt: at,
});

const s01Row: RoomRow = {
  id: 'room-s01',
  name: 'S01',
  room_type_id: 'small',
  capacity: 4,
  devices: ['mic', 'screen', 'tambourine'],
  status: 'in_service',
  out_of_service_reason: null,
  registered_at: RECORDED_AT,
  updated_at: RECORDED_AT,
  retired_at: null,
};

t.test('RoomTypeDefined adds a room type with its capacities, devices and cleaning buffer', async (t) => {
  await spec(t)
    .given([smallType, largeType])
    .expectRows('room_types', [
      { id: 'large', name: 'Large', min_capacity: 9, max_capacity: 15, devices: [], cleaning_buffer_minutes: 20, defined_at: RECORDED_AT },
      {
        id: 'small',
        name: 'Small',
        min_capacity: 2,
        max_capacity: 4,
        devices: ['mic', 'screen'],
        cleaning_buffer_minutes: 15,
        defined_at: RECORDED_AT,
      },
    ]);
});

t.test('RoomTypeDefined delivered again leaves the room type as first defined', async (t) => {
  await spec(t)
    .given([smallType])
    .redelivered()
    .expectRows('room_types', [
      {
        id: 'small',
        name: 'Small',
        min_capacity: 2,
        max_capacity: 4,
        devices: ['mic', 'screen'],
        cleaning_buffer_minutes: 15,
        defined_at: RECORDED_AT,
      },
    ]);
});

t.test('RoomRegistered adds an in-service room, registered and updated when recorded', async (t) => {
  await spec(t).given([smallType, s01]).expectRows('rooms', [s01Row]);
});

t.test('RoomRegistered delivered again leaves one room, as first registered', async (t) => {
  await spec(t).given([s01]).redelivered().expectRows('rooms', [s01Row]);
});

t.test('RoomTakenOutOfService delivered again leaves the room as the first delivery did', async (t) => {
  await spec(t)
    .given([s01])
    .when([outOfService('room-s01', 'broken screen', later)])
    .redelivered()
    .expectRows('rooms', [{ ...s01Row, status: 'out_of_service', out_of_service_reason: 'broken screen', updated_at: later }]);
});

t.test('RoomTakenOutOfService marks that room out of service with its reason, updated when recorded', async (t) => {
  await spec(t)
    .given([s01, s02])
    .when([outOfService('room-s01', 'broken screen', later)])
    .expectRows(
      'rooms',
      [
        { ...s01Row, status: 'out_of_service', out_of_service_reason: 'broken screen', updated_at: later },
        {
          id: 'room-s02',
          name: 'S02',
          room_type_id: 'small',
          capacity: 3,
          devices: ['mic'],
          status: 'in_service',
          out_of_service_reason: null,
          registered_at: RECORDED_AT,
          updated_at: RECORDED_AT,
          retired_at: null,
        },
      ],
      { orderBy: 'id' },
    );
});

t.test('RoomReturnedToService puts the room back in service and clears the reason', async (t) => {
  await spec(t)
    .given([s01, outOfService('room-s01', 'broken screen', later)])
    .when([backInService('room-s01', muchLater)])
    .expectRows('rooms', [{ ...s01Row, updated_at: muchLater }]);
});

t.test('RoomTakenOutOfService for a room never registered adds no room', async (t) => {
  await spec(t)
    .given([outOfService('room-x', 'flooded', later), backInService('room-x', muchLater)])
    .expectRows('rooms', []);
});

t.test('RoomChanged sets the name, capacity and devices; RoomRetired dates the retirement', async (t) => {
  const changed: RoomEvent & { createdAt: Date } = {
    type: 'RoomChanged',
    data: { roomId: 'room-s01', name: 'S01 VIP', capacity: 3, devices: ['mic'], at: later.toISOString() },
    createdAt: later,
  };
  const retired: RoomEvent & { createdAt: Date } = {
    type: 'RoomRetired',
    data: { roomId: 'room-s01', reason: 'merged with S02', at: muchLater.toISOString() },
    createdAt: muchLater,
  };
  await spec(t)
    .given([s01, changed])
    .expectRows('rooms', [{ ...s01Row, name: 'S01 VIP', capacity: 3, devices: ['mic'], updated_at: later }]);
  await spec(t)
    .given([s01, changed, outOfService('room-s01', 'retired: merged with S02', muchLater)])
    .when([retired])
    .redelivered()
    .expectRows('rooms', [{ id: 'room-s01', status: 'out_of_service', retired_at: muchLater, updated_at: muchLater }]);
});

t.test('RoomTypeChanged replaces the definition; RoomTypeRetired dates the retirement', async (t) => {
  await spec(t)
    .given([smallType])
    .when([
      {
        type: 'RoomTypeChanged',
        data: {
          roomTypeId: 'small',
          name: 'Small+',
          minCapacity: 2,
          maxCapacity: 5,
          devices: [],
          cleaningBufferMinutes: 10,
          at: later.toISOString(),
        },
        createdAt: later,
      },
      { type: 'RoomTypeRetired', data: { roomTypeId: 'small', at: muchLater.toISOString() }, createdAt: muchLater },
    ])
    .expectRows('room_types', [
      {
        id: 'small',
        name: 'Small+',
        max_capacity: 5,
        devices: [],
        cleaning_buffer_minutes: 10,
        defined_at: RECORDED_AT,
        retired_at: muchLater,
      },
    ]);
});
