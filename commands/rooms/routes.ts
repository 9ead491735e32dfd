import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { roomStream, roomTypeStream } from '../../src/events/rooms.js';
import { metadataOf } from '../../src/http/metadata.js';
import { NotFoundError } from '../../src/errors.js';
import { isUuid, newId, parseId } from '../../src/ids.js';
import { roomTypeDecider } from '../room-types/decider.js';
import { roomDecider, type RoomCommand, type RoomState } from './decider.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import type { Clock } from '../../src/clock.js';

const RegisterRoomBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    type: Type.String({ minLength: 1, maxLength: 32, description: 'Room type id, e.g. `medium`' }),
    capacity: Type.Integer({ minimum: 1, maximum: 200, description: 'The most people the room holds' }),
    devices: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);
const ServiceStatus = Type.Union([Type.Literal('in_service'), Type.Literal('out_of_service'), Type.Literal('retired')]);
const StatusReply = Type.Object({ id: Type.String(), status: ServiceStatus });
const ChangeRoomBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    capacity: Type.Integer({ minimum: 1, maximum: 200, description: 'Within its type’s capacity range' }),
    devices: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { maxItems: 50 }),
  },
  { additionalProperties: false },
);

function statusOf(state: RoomState): Exclude<RoomState['status'], 'none'> {
  if (state.status === 'none') throw new Error('room without state after a successful command');
  return state.status;
}

export const roomCommands: FastifyPluginAsyncTypebox<Readonly<{ store: EventStore; clock: Clock }>> = async (app, { store, clock }) => {
  app.post(
    '/rooms',
    {
      config: { permission: 'room:write' },
      schema: {
        tags: ['rooms'],
        summary: 'Register a room of a room type',
        body: RegisterRoomBody,
        response: replies({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const { name, type, capacity, devices } = request.body;
      const roomTypeId = parseId('roomType', type, 'type');
      const { state: roomType } = await load(store, roomTypeStream(roomTypeId), roomTypeDecider);
      const roomId = newId<'room'>();
      await handle(
        store,
        roomStream(roomId),
        roomDecider,
        { type: 'RegisterRoom', roomId, name, capacity, devices: devices ?? [], roomType, roomTypeId },
        metadataOf(request),
      );
      return reply.code(201).send({ id: roomId });
    },
  );

  /** Changes a room; holds on every instance read the room's stream, so they see the change at once. */
  const changeService = async (request: FastifyRequest, id: string, command: RoomCommand) => {
    if (!isUuid(id)) throw new NotFoundError('room', id);
    const { state } = await handle(store, roomStream(id), roomDecider, command, metadataOf(request));
    return { id, status: statusOf(state) };
  };

  app.post(
    '/rooms/:id/out-of-service',
    {
      config: { permission: 'room:service' },
      schema: {
        tags: ['rooms'],
        summary: 'Take a room out of service (a faulty device, repairs)',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: replies({ 200: StatusReply }),
      },
    },
    async (request) => {
      const { id } = request.params;
      return changeService(request, id, { type: 'TakeOutOfService', roomId: id, reason: request.body.reason, now: clock() });
    },
  );

  app.post(
    '/rooms/:id/return-to-service',
    {
      config: { permission: 'room:service' },
      schema: {
        tags: ['rooms'],
        summary: 'Put a room back into service',
        params: IdParams,
        response: replies({ 200: StatusReply }),
      },
    },
    async (request) => {
      const { id } = request.params;
      return changeService(request, id, { type: 'ReturnToService', roomId: id, now: clock() });
    },
  );

  app.put(
    '/rooms/:id',
    {
      config: { permission: 'room:write' },
      schema: {
        tags: ['rooms'],
        summary: 'Change a room’s name, capacity or devices (its type stays)',
        description: '`422 capacity_out_of_range` outside its type’s range; `409 room_retired`.',
        params: IdParams,
        body: ChangeRoomBody,
        response: replies({ 200: StatusReply }),
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isUuid(id)) throw new NotFoundError('room', id);
      const { state: room } = await load(store, roomStream(id), roomDecider);
      if (room.status === 'none') throw new NotFoundError('room', id);
      const { state: roomType } = await load(store, roomTypeStream(room.roomTypeId), roomTypeDecider);
      return changeService(request, id, { type: 'ChangeRoom', roomId: id, ...request.body, roomType, now: clock() });
    },
  );

  app.post(
    '/rooms/:id/retire',
    {
      config: { permission: 'room:write' },
      schema: {
        tags: ['rooms'],
        summary: 'Retire a room for good: out of service, off the catalogue, never back',
        description: 'Bookings already made for it keep it: move them to another room first (`POST /bookings/:id/move`).',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: replies({ 200: StatusReply }),
      },
    },
    async (request) => {
      const { id } = request.params;
      return changeService(request, id, { type: 'Retire', roomId: id, reason: request.body.reason, now: clock() });
    },
  );
};
