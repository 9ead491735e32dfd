import { sql, type Kysely, type Selectable } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import { ALL_SCOPES, staleAvailability } from '../src/infra/answer-cache.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { RoomEvent, RoomTypeEvent } from '../src/events/rooms.js';

export interface RoomTypesTable {
  id: string;
  name: string;
  min_capacity: number;
  max_capacity: number;
  devices: string[];
  cleaning_buffer_minutes: number;
  defined_at: Date;
  /** Set once retired: it takes no new rooms and leaves the catalogue. */
  retired_at: Date | null;
}

export interface RoomsTable {
  id: string;
  name: string;
  room_type_id: string;
  capacity: number;
  devices: string[];
  status: 'in_service' | 'out_of_service';
  out_of_service_reason: string | null;
  registered_at: Date;
  updated_at: Date;
  /** Set once retired (it is then out of service for good and leaves the catalogue). */
  retired_at: Date | null;
}

export type RoomTypeRow = Selectable<RoomTypesTable>;
export type RoomRow = Selectable<RoomsTable>;
export type RoomsDatabase = { room_types: RoomTypesTable; rooms: RoomsTable };

type Handled = RoomEvent | RoomTypeEvent;

/** The room catalogue: `rm.room_types` and `rm.rooms`. */
export const roomsProjection = defineProjection<RoomsDatabase>({
  name: 'rooms',
  // 2: rooms and room types are changed and retired (`retired_at`).
  version: 2,
  tables: ['room_types', 'rooms'],
  eventTypes: [
    'RoomTypeDefined',
    'RoomTypeChanged',
    'RoomTypeRetired',
    'RoomRegistered',
    'RoomTakenOutOfService',
    'RoomReturnedToService',
    'RoomChanged',
    'RoomRetired',
  ],
  async setup(db) {
    await db.schema
      .createTable('room_types')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('min_capacity', 'integer', (c) => c.notNull())
      .addColumn('max_capacity', 'integer', (c) => c.notNull())
      .addColumn('devices', 'jsonb', (c) => c.notNull())
      .addColumn('cleaning_buffer_minutes', 'integer', (c) => c.notNull())
      .addColumn('defined_at', 'timestamptz', (c) => c.notNull())
      .addColumn('retired_at', 'timestamptz')
      .execute();
    await db.schema
      .createTable('rooms')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('room_type_id', 'text', (c) => c.notNull())
      .addColumn('capacity', 'integer', (c) => c.notNull())
      .addColumn('devices', 'jsonb', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('out_of_service_reason', 'text')
      .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addColumn('retired_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('rooms_by_type').on('rooms').columns(['room_type_id', 'capacity']).execute();
  },
  async apply(trx: Kysely<RoomsDatabase>, events: readonly RecordedEvent[]) {
    // Rooms and prices shape every availability answer: all cached ones are stale once this batch commits.
    if (events.length > 0) await staleAvailability(trx, [ALL_SCOPES]);
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as Handled;
      const at = recorded.createdAt;
      switch (event.type) {
        case 'RoomTypeDefined': {
          const d = event.data;
          await trx
            .insertInto('room_types')
            .values({
              id: d.roomTypeId,
              name: d.name,
              min_capacity: d.minCapacity,
              max_capacity: d.maxCapacity,
              devices: sql`${JSON.stringify(d.devices)}::jsonb`,
              cleaning_buffer_minutes: d.cleaningBufferMinutes,
              defined_at: at,
              retired_at: null,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        }
        case 'RoomRegistered': {
          const d = event.data;
          await trx
            .insertInto('rooms')
            .values({
              id: d.roomId,
              name: d.name,
              room_type_id: d.roomTypeId,
              capacity: d.capacity,
              devices: sql`${JSON.stringify(d.devices)}::jsonb`,
              status: 'in_service',
              out_of_service_reason: null,
              registered_at: at,
              updated_at: at,
              retired_at: null,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        }
        case 'RoomTakenOutOfService':
          await trx
            .updateTable('rooms')
            .set({ status: 'out_of_service', out_of_service_reason: event.data.reason, updated_at: at })
            .where('id', '=', event.data.roomId)
            .execute();
          break;
        case 'RoomReturnedToService':
          await trx
            .updateTable('rooms')
            .set({ status: 'in_service', out_of_service_reason: null, updated_at: at })
            .where('id', '=', event.data.roomId)
            .execute();
          break;
        case 'RoomTypeChanged': {
          const d = event.data;
          await trx
            .updateTable('room_types')
            .set({
              name: d.name,
              min_capacity: d.minCapacity,
              max_capacity: d.maxCapacity,
              devices: sql`${JSON.stringify(d.devices)}::jsonb`,
              cleaning_buffer_minutes: d.cleaningBufferMinutes,
            })
            .where('id', '=', d.roomTypeId)
            .execute();
          break;
        }
        case 'RoomTypeRetired':
          await trx.updateTable('room_types').set({ retired_at: at }).where('id', '=', event.data.roomTypeId).execute();
          break;
        case 'RoomChanged': {
          const d = event.data;
          await trx
            .updateTable('rooms')
            .set({ name: d.name, capacity: d.capacity, devices: sql`${JSON.stringify(d.devices)}::jsonb`, updated_at: at })
            .where('id', '=', d.roomId)
            .execute();
          break;
        }
        case 'RoomRetired':
          await trx.updateTable('rooms').set({ retired_at: at, updated_at: at }).where('id', '=', event.data.roomId).execute();
          break;
        default: {
          const never: never = event;
          throw new Error(`rooms projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});
