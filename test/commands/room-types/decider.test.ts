import t from 'tap';
import { roomTypeDecider, type DefineRoomType } from '../../../commands/room-types/decider.js';
import { ConflictError, ValidationError } from '../../../src/errors.js';
import type { RoomTypeEvent } from '../../../src/events/rooms.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** A room type: its capacity range, default devices and cleaning buffer. */
const spec = DeciderSpecification.for(roomTypeDecider);

const define = (over: Partial<DefineRoomType> = {}): DefineRoomType => ({
  type: 'DefineRoomType',
  roomTypeId: 'medium',
  name: 'Medium',
  minCapacity: 5,
  maxCapacity: 8,
  devices: ['karaoke', 'projector'],
  cleaningBufferMinutes: 15,
  ...over,
});
const defined: RoomTypeEvent = {
  type: 'RoomTypeDefined',
  data: {
    roomTypeId: 'medium',
    name: 'Medium',
    minCapacity: 5,
    maxCapacity: 8,
    devices: ['karaoke', 'projector'],
    cleaningBufferMinutes: 15,
  },
};

t.test('define: a new room type is defined with its capacity range, devices and cleaning buffer', async (t) => {
  spec(t).given([]).when(define()).then([defined]);
});

t.test('define: a room type for exactly one party size (min = max) is allowed', async (t) => {
  spec(t)
    .given([])
    .when(define({ minCapacity: 6, maxCapacity: 6 }))
    .then([{ type: 'RoomTypeDefined', data: { ...defined.data, minCapacity: 6, maxCapacity: 6 } }]);
});

t.test('define: a minimum capacity above the maximum is refused with validation_failed on minCapacity', async (t) => {
  spec(t)
    .given([])
    .when(define({ minCapacity: 9, maxCapacity: 8 }))
    .thenThrows('validation_failed', { is: ValidationError, status: 422, detail: { errors: [{ field: 'minCapacity' }] } });
});

t.test('define: defining an existing room type again is refused with room_type_exists, even with the same data', async (t) => {
  spec(t).given([defined]).when(define()).thenThrows('room_type_exists', { is: ConflictError, status: 409 });
});

t.test('state: a defined room type carries everything a room registration checks', async (t) => {
  t.strictSame(roomTypeDecider.evolve(roomTypeDecider.initialState(), defined), {
    status: 'defined',
    id: 'medium',
    name: 'Medium',
    minCapacity: 5,
    maxCapacity: 8,
    devices: ['karaoke', 'projector'],
    cleaningBufferMinutes: 15,
    retired: false,
  });
});
