import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { roomTypeStream } from '../../src/events/rooms.js';
import { metadataOf } from '../../src/http/metadata.js';
import { parseId } from '../../src/ids.js';
import { roomTypeDecider } from './decider.js';
import { replies } from '../../src/http/schemas.js';
import { NotFoundError } from '../../src/errors.js';
import type { Clock } from '../../src/clock.js';

export const DefineRoomTypeBody = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]{1,31}$', description: 'A slug such as `small` or `party`' }),
    name: Type.String({ minLength: 1, maxLength: 80 }),
    minCapacity: Type.Integer({ minimum: 1, maximum: 200 }),
    maxCapacity: Type.Integer({ minimum: 1, maximum: 200 }),
    devices: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { maxItems: 50, default: [] }),
    cleaningBufferMinutes: Type.Integer({ minimum: 0, maximum: 240, default: 15 }),
  },
  { additionalProperties: false },
);

const { id: _id, ...definitionFields } = DefineRoomTypeBody.properties;
const ChangeRoomTypeBody = Type.Object(definitionFields, { additionalProperties: false });
const RoomTypeParams = Type.Object({ id: Type.String({ maxLength: 32 }) });

/** A room type id from a path: an id that cannot be one is a type that does not exist. */
function roomTypeIdOf(id: string) {
  if (!/^[a-z][a-z0-9_]{1,31}$/.test(id)) throw new NotFoundError('room type', id);
  return parseId('roomType', id, 'id');
}

export const roomTypeCommands: FastifyPluginAsyncTypebox<Readonly<{ store: EventStore; clock: Clock }>> = async (app, { store, clock }) => {
  app.post(
    '/room-types',
    {
      config: { permission: 'room:write' },
      schema: {
        tags: ['rooms'],
        summary: 'Define a room type with its capacity range, devices and cleaning buffer',
        body: DefineRoomTypeBody,
        response: replies({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const { id, ...rest } = request.body;
      const roomTypeId = parseId('roomType', id, 'id');
      await handle(
        store,
        roomTypeStream(roomTypeId),
        roomTypeDecider,
        { type: 'DefineRoomType', roomTypeId, ...rest },
        metadataOf(request),
      );
      return reply.code(201).send({ id: roomTypeId });
    },
  );

  app.put(
    '/room-types/:id',
    {
      config: { permission: 'room:write' },
      schema: {
        tags: ['rooms'],
        summary: 'Change a room type: name, capacity range, devices, cleaning buffer',
        description:
          'Rooms keep their own capacity and devices; a new cleaning buffer applies to room time claimed from then on. `409 room_type_retired`.',
        params: RoomTypeParams,
        body: ChangeRoomTypeBody,
        response: replies({ 200: Type.Object({ id: Type.String() }) }),
      },
    },
    async (request) => {
      const roomTypeId = roomTypeIdOf(request.params.id);
      const command = { type: 'ChangeRoomType', roomTypeId, ...request.body, now: clock() } as const;
      await handle(store, roomTypeStream(roomTypeId), roomTypeDecider, command, metadataOf(request));
      return { id: roomTypeId };
    },
  );

  app.post(
    '/room-types/:id/retire',
    {
      config: { permission: 'room:write' },
      schema: {
        tags: ['rooms'],
        summary: 'Retire a room type: it takes no new rooms and leaves the catalogue; its rooms stay until retired themselves',
        params: RoomTypeParams,
        response: replies({ 200: Type.Object({ id: Type.String(), retired: Type.Literal(true) }) }),
      },
    },
    async (request) => {
      const roomTypeId = roomTypeIdOf(request.params.id);
      await handle(
        store,
        roomTypeStream(roomTypeId),
        roomTypeDecider,
        { type: 'RetireRoomType', roomTypeId, now: clock() },
        metadataOf(request),
      );
      return { id: roomTypeId, retired: true as const };
    },
  );
};
