import { ConflictError, NotFoundError, UnprocessableError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { RoomEvent } from '../../src/events/rooms.js';
import type { RoomTypeState } from '../room-types/decider.js';

type RoomFields = { id: string; name: string; roomTypeId: string; capacity: number; devices: readonly string[] };
export type RoomState =
  | { status: 'none' }
  | ({ status: 'in_service' } & RoomFields)
  | ({ status: 'out_of_service'; reason: string } & RoomFields)
  /** Retired for good: out of service, never back, not changed again. */
  | ({ status: 'retired'; reason: string } & RoomFields);

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
  | Readonly<{ type: 'ReturnToService'; roomId: string; now: Date }>
  /** `roomType` is the room's own type as read now, for its capacity range. */
  | Readonly<{
      type: 'ChangeRoom';
      roomId: string;
      name: string;
      capacity: number;
      devices: readonly string[];
      roomType: RoomTypeState;
      now: Date;
    }>
  | Readonly<{ type: 'Retire'; roomId: string; reason: string; now: Date }>;

function checkCapacity(type: Extract<RoomTypeState, { status: 'defined' }>, capacity: number) {
  if (capacity < type.minCapacity || capacity > type.maxCapacity) {
    throw new UnprocessableError('capacity_out_of_range', `A ${type.name} room holds ${type.minCapacity} to ${type.maxCapacity} people.`, {
      field: 'capacity',
      minCapacity: type.minCapacity,
      maxCapacity: type.maxCapacity,
    });
  }
}

const retired = (state: Extract<RoomState, { status: 'retired' }>) => new ConflictError('room_retired', `Room ${state.name} is retired.`);

export const roomDecider: Decider<RoomState, RoomCommand, RoomEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, event) => {
    if (event.type === 'RoomRegistered') {
      const { roomId, name, roomTypeId, capacity, devices } = event.data;
      return { status: 'in_service', id: roomId, name, roomTypeId, capacity, devices };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'RoomTakenOutOfService':
        return { ...state, status: 'out_of_service', reason: event.data.reason };
      case 'RoomReturnedToService': {
        if (state.status !== 'out_of_service') return state;
        const { reason: _reason, ...room } = state;
        return { ...room, status: 'in_service' };
      }
      case 'RoomChanged': {
        const { name, capacity, devices } = event.data;
        return { ...state, name, capacity, devices };
      }
      case 'RoomRetired':
        return { ...state, status: 'retired', reason: event.data.reason };
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (command, state) => {
    if (command.type === 'RegisterRoom') {
      if (state.status !== 'none') throw new ConflictError('room_exists', `Room ${command.roomId} already exists.`);
      const type = command.roomType;
      if (type.status !== 'defined') {
        throw new UnprocessableError('unknown_room_type', `Room type ${command.roomTypeId} does not exist.`, { field: 'type' });
      }
      if (type.retired) throw new UnprocessableError('room_type_retired', `Room type ${type.name} is retired.`, { field: 'type' });
      checkCapacity(type, command.capacity);
      const devices = command.devices.length > 0 ? command.devices : type.devices;
      return [
        {
          type: 'RoomRegistered',
          data: { roomId: command.roomId, name: command.name, roomTypeId: type.id, capacity: command.capacity, devices },
        },
      ];
    }
    if (state.status === 'none') throw new NotFoundError('room', command.roomId);
    const at = command.now.toISOString();
    switch (command.type) {
      case 'TakeOutOfService':
        if (state.status !== 'in_service') return [];
        return [{ type: 'RoomTakenOutOfService', data: { roomId: command.roomId, reason: command.reason, at } }];
      case 'ReturnToService':
        if (state.status === 'retired') throw retired(state);
        if (state.status === 'in_service') return [];
        return [{ type: 'RoomReturnedToService', data: { roomId: command.roomId, at } }];
      case 'ChangeRoom': {
        if (state.status === 'retired') throw retired(state);
        if (command.roomType.status !== 'defined') throw new Error(`room ${state.id} has no type ${state.roomTypeId}`);
        checkCapacity(command.roomType, command.capacity);
        const { name, capacity, devices } = command;
        if (name === state.name && capacity === state.capacity && devices.join('\n') === state.devices.join('\n')) return [];
        return [{ type: 'RoomChanged', data: { roomId: state.id, name, capacity, devices, at } }];
      }
      case 'Retire': {
        if (state.status === 'retired') return [];
        const reason = `retired: ${command.reason}`;
        const out: RoomEvent[] =
          state.status === 'in_service' ? [{ type: 'RoomTakenOutOfService', data: { roomId: state.id, reason, at } }] : [];
        return [...out, { type: 'RoomRetired', data: { roomId: state.id, reason: command.reason, at } }];
      }
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
};
