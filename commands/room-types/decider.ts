import { ConflictError, ValidationError } from '../../src/errors.js';
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
    };

export type DefineRoomType = Readonly<{ type: 'DefineRoomType' }> & RoomTypeDefinition;

export const roomTypeDecider: Decider<RoomTypeState, DefineRoomType, RoomTypeEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (_state, event) => {
    switch (event.type) {
      case 'RoomTypeDefined': {
        const { roomTypeId, ...rest } = event.data;
        return { status: 'defined', id: roomTypeId, ...rest };
      }
      default: {
        const never: never = event.type;
        throw new Error(`unknown event ${String(never)}`);
      }
    }
  },
  decide: (command, state) => {
    if (state.status !== 'none') {
      throw new ConflictError('room_type_exists', `Room type ${command.roomTypeId} already exists.`);
    }
    if (command.minCapacity > command.maxCapacity) {
      throw new ValidationError([{ field: 'minCapacity', message: 'must not exceed maxCapacity' }]);
    }
    const { type: _type, ...data } = command;
    return [{ type: 'RoomTypeDefined', data }];
  },
};
