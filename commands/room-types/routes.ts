import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { roomTypeStream } from '../../src/events/rooms.js';
import { metadataOf } from '../../src/http/metadata.js';
import { parseId } from '../../src/ids.js';
import { roomTypeDecider } from './decider.js';
import { replies } from '../../src/http/schemas.js';

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

export const roomTypeCommands: FastifyPluginAsyncTypebox<Readonly<{ store: EventStore }>> = async (app, { store }) => {
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
};
