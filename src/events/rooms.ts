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

/**
 * Events of `roomtype-<id>` streams. A change replaces the whole definition (rooms keep their own
 * devices and capacity; a new cleaning buffer applies to room time claimed from then on); a retired
 * type takes no new rooms.
 */
export type RoomTypeEvent =
  | DomainEvent<'RoomTypeDefined', RoomTypeDefinition>
  | DomainEvent<'RoomTypeChanged', RoomTypeDefinition & Readonly<{ at: string }>>
  | DomainEvent<'RoomTypeRetired', Readonly<{ roomTypeId: string; at: string }>>;

/** Events of `room-<id>` streams. */
export type RoomEvent =
  | DomainEvent<
      'RoomRegistered',
      Readonly<{ roomId: string; name: string; roomTypeId: string; capacity: number; devices: readonly string[] }>
    >
  | DomainEvent<'RoomTakenOutOfService', Readonly<{ roomId: string; reason: string; at: string }>>
  | DomainEvent<'RoomReturnedToService', Readonly<{ roomId: string; at: string }>>
  /** Its name, capacity or devices changed; the type stays (a room of another type is another room). */
  | DomainEvent<'RoomChanged', Readonly<{ roomId: string; name: string; capacity: number; devices: readonly string[]; at: string }>>
  /** Retired for good, always after `RoomTakenOutOfService`, so whoever reads service status alone sees it out of service. */
  | DomainEvent<'RoomRetired', Readonly<{ roomId: string; reason: string; at: string }>>;

export const roomTypeStream = (id: string) => `roomtype-${id}`;
export const roomStream = (id: string) => `room-${id}`;
