import type { DomainEvent } from './event.js';

/** A room type as defined: the party sizes it suits, its devices, and the cleaning time after each party. */
export type RoomTypeDefinition = Readonly<{
  roomTypeId: string;
  name: string;
  minCapacity: number;
  maxCapacity: number;
  devices: readonly string[];
  cleaningBufferMinutes: number;
}>;

/** Events of `roomtype-<id>` streams. */
export type RoomTypeEvent = DomainEvent<'RoomTypeDefined', RoomTypeDefinition>;

/** Events of `room-<id>` streams. */
export type RoomEvent =
  | DomainEvent<
      'RoomRegistered',
      Readonly<{ roomId: string; name: string; roomTypeId: string; capacity: number; devices: readonly string[] }>
    >
  | DomainEvent<'RoomTakenOutOfService', Readonly<{ roomId: string; reason: string; at: string }>>
  | DomainEvent<'RoomReturnedToService', Readonly<{ roomId: string; at: string }>>;

export const roomTypeStream = (id: string) => `roomtype-${id}`;
export const roomStream = (id: string) => `room-${id}`;
