import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { RoomTypeEvent, RoomTypeDefinition } from '../../src/events/rooms.js';

export type RoomTypeState =
  | { status: 'none' }
  | {
      status: 'defined';
      id: string;
      name: string;
      minCapacity: number;
      maxCapacity: number;
      devices: readonly string[];
      cleaningBufferMinutes: number;
      /** A retired type takes no new rooms; its rooms stay until they are retired themselves. */
      retired: boolean;
    };

export type DefineRoomType = Readonly<{ type: 'DefineRoomType' }> & RoomTypeDefinition;
export type RoomTypeCommand =
  | DefineRoomType
  | (Readonly<{ type: 'ChangeRoomType'; now: Date }> & RoomTypeDefinition)
  | Readonly<{ type: 'RetireRoomType'; roomTypeId: string; now: Date }>;

function checkCapacities(d: RoomTypeDefinition) {
  if (d.minCapacity > d.maxCapacity) throw new ValidationError([{ field: 'minCapacity', message: 'must not exceed maxCapacity' }]);
}

export const roomTypeDecider: Decider<RoomTypeState, RoomTypeCommand, RoomTypeEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'RoomTypeDefined':
      case 'RoomTypeChanged': {
        const { roomTypeId, name, minCapacity, maxCapacity, devices, cleaningBufferMinutes } = event.data;
        return { status: 'defined', id: roomTypeId, name, minCapacity, maxCapacity, devices, cleaningBufferMinutes, retired: false };
      }
      case 'RoomTypeRetired':
        return state.status === 'none' ? state : { ...state, retired: true };
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'DefineRoomType': {
        if (state.status !== 'none') throw new ConflictError('room_type_exists', `Room type ${command.roomTypeId} already exists.`);
        checkCapacities(command);
        const { type: _type, ...data } = command;
        return [{ type: 'RoomTypeDefined', data }];
      }
      case 'ChangeRoomType': {
        if (state.status === 'none') throw new NotFoundError('room type', command.roomTypeId);
        if (state.retired) throw new ConflictError('room_type_retired', `Room type ${state.name} is retired.`);
        checkCapacities(command);
        const { type: _type, now, ...definition } = command;
        const same =
          definition.name === state.name &&
          definition.minCapacity === state.minCapacity &&
          definition.maxCapacity === state.maxCapacity &&
          definition.cleaningBufferMinutes === state.cleaningBufferMinutes &&
          definition.devices.join('\n') === state.devices.join('\n');
        return same ? [] : [{ type: 'RoomTypeChanged', data: { ...definition, at: now.toISOString() } }];
      }
      case 'RetireRoomType':
        if (state.status === 'none') throw new NotFoundError('room type', command.roomTypeId);
        if (state.retired) return [];
        return [{ type: 'RoomTypeRetired', data: { roomTypeId: command.roomTypeId, at: command.now.toISOString() } }];
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};
