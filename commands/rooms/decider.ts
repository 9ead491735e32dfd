import { ConflictError, NotFoundError, UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { RoomEvent } from '../../src/events/rooms.js';
import type { RoomTypeState } from '../room-types/decider.js';

export type RoomState =
  | { status: 'none' }
  | { status: 'in_service'; id: string; name: string; roomTypeId: string; capacity: number }
  | { status: 'out_of_service'; id: string; name: string; roomTypeId: string; capacity: number; reason: string };

export type RoomCommand =
  | Readonly<{
      type: 'RegisterRoom';
      roomId: string;
      name: string;
      capacity: number;
      devices: readonly string[];
      roomType: RoomTypeState;
      roomTypeId: string;
    }>
  | Readonly<{ type: 'TakeOutOfService'; roomId: string; reason: string; now: Date }>
  | Readonly<{ type: 'ReturnToService'; roomId: string; now: Date }>;

export const roomDecider: Decider<RoomState, RoomCommand, RoomEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'RoomRegistered': {
        const { roomId, name, roomTypeId, capacity } = event.data;
        return { status: 'in_service', id: roomId, name, roomTypeId, capacity };
      }
      case 'RoomTakenOutOfService':
        return state.status === 'none' ? state : { ...state, status: 'out_of_service', reason: event.data.reason };
      case 'RoomReturnedToService':
        if (state.status !== 'out_of_service') return state;
        return { status: 'in_service', id: state.id, name: state.name, roomTypeId: state.roomTypeId, capacity: state.capacity };
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterRoom': {
        if (state.status !== 'none') throw new ConflictError('room_exists', `Room ${command.roomId} already exists.`);
        const type = command.roomType;
        if (type.status !== 'defined') {
          throw new UnprocessableError('unknown_room_type', `Room type ${command.roomTypeId} does not exist.`, { field: 'type' });
        }
        if (command.capacity < type.minCapacity || command.capacity > type.maxCapacity) {
          throw new UnprocessableError(
            'capacity_out_of_range',
            `A ${type.name} room holds ${type.minCapacity} to ${type.maxCapacity} people.`,
            { field: 'capacity', minCapacity: type.minCapacity, maxCapacity: type.maxCapacity },
          );
        }
        const devices = command.devices.length > 0 ? command.devices : type.devices;
        return [
          {
            type: 'RoomRegistered',
            data: { roomId: command.roomId, name: command.name, roomTypeId: type.id, capacity: command.capacity, devices },
          },
        ];
      }
      case 'TakeOutOfService':
        if (state.status === 'none') throw new NotFoundError('room', command.roomId);
        if (state.status === 'out_of_service') return [];
        return [{ type: 'RoomTakenOutOfService', data: { roomId: command.roomId, reason: command.reason, at: command.now.toISOString() } }];
      case 'ReturnToService':
        if (state.status === 'none') throw new NotFoundError('room', command.roomId);
        if (state.status === 'in_service') return [];
        return [{ type: 'RoomReturnedToService', data: { roomId: command.roomId, at: command.now.toISOString() } }];
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};
