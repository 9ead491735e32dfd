import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { NotFoundError } from '../src/errors.js';
import type { RoomsDatabase } from '../projections/rooms.js';
import { IdParams, replies } from '../src/http/schemas.js';

const Room = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.String({ description: 'Room type id' }),
    capacity: Type.Integer(),
    status: Type.Union([Type.Literal('in_service'), Type.Literal('out_of_service')]),
    devices: Type.Array(Type.String()),
    outOfServiceReason: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Room' },
);
const RoomType = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    minCapacity: Type.Integer(),
    maxCapacity: Type.Integer(),
    devices: Type.Array(Type.String()),
    cleaningBufferMinutes: Type.Integer(),
  },
  { $id: 'RoomType' },
);

const roomColumns = ['id', 'name', 'room_type_id', 'capacity', 'status', 'devices', 'out_of_service_reason'] as const;

export async function listRooms(db: Kysely<ReadModels>, filter: { type?: string | undefined }) {
  // Retired rooms leave the catalogue (analysts still find them in rm.rooms).
  let q = db.selectFrom('rooms').select(roomColumns).where('retired_at', 'is', null);
  if (filter.type) q = q.where('room_type_id', '=', filter.type);
  const rows = await q.orderBy('name').orderBy('id').execute();
  return rows.map(toRoom);
}

export async function findRoom(db: Kysely<ReadModels>, id: string) {
  const row = await db.selectFrom('rooms').select(roomColumns).where('id', '=', id).executeTakeFirst();
  return row ? toRoom(row) : undefined;
}

export async function listRoomTypes(db: Kysely<ReadModels>) {
  const rows = await db
    .selectFrom('room_types')
    .selectAll()
    .where('retired_at', 'is', null)
    .orderBy('min_capacity')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    minCapacity: r.min_capacity,
    maxCapacity: r.max_capacity,
    devices: r.devices,
    cleaningBufferMinutes: r.cleaning_buffer_minutes,
  }));
}

function toRoom(r: Pick<RoomsDatabase['rooms'], (typeof roomColumns)[number]>) {
  return {
    id: r.id,
    name: r.name,
    type: r.room_type_id,
    capacity: r.capacity,
    status: r.status,
    devices: r.devices,
    outOfServiceReason: r.out_of_service_reason,
  };
}

/** The room catalogue, read from `rm.rooms` and `rm.room_types` only. */
export const roomQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, ctx) => {
  const db = ctx.readModels;
  app.addSchema(Room);
  app.addSchema(RoomType);

  app.get(
    '/rooms',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['rooms'],
        summary: 'All rooms with their type, capacity and service status',
        querystring: Type.Object({ type: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
        response: replies({ 200: Type.Array(Type.Ref('Room')) }),
      },
    },
    async (request) => listRooms(db, { type: request.query.type }),
  );

  app.get(
    '/rooms/:id',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['rooms'],
        summary: 'One room',
        params: IdParams,
        response: replies({ 200: Type.Ref('Room') }),
      },
    },
    async (request) => {
      const room = await findRoom(db, request.params.id);
      if (!room) throw new NotFoundError('room', request.params.id);
      return room;
    },
  );

  app.get(
    '/room-types',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['rooms'],
        summary: 'Room types with capacity ranges and devices',
        response: { 200: Type.Array(Type.Ref('RoomType')) },
      },
    },
    async () => listRoomTypes(db),
  );
};
