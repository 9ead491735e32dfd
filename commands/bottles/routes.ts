import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventStore } from '../../src/eventstore/port.js';
import type { Clock } from '../../src/clock.js';
import { addMinutes } from '../../src/clock.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { bottleStream } from '../../src/events/bottles.js';
import { productStream } from '../../src/events/products.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { currentUser } from '../../src/auth/current-user.js';
import { NotFoundError, UnprocessableError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import { currentVenue } from '../venue/current.js';
import { productDecider } from '../products/decider.js';
import { actorOf } from '../bookings/context.js';
import { bottleDecider } from './decider.js';

const StoreBody = Type.Object(
  {
    memberId: Type.String({ maxLength: 64, description: 'The member (user id) the bottle is kept for' }),
    productId: Type.String({ maxLength: 64 }),
    remaining: Type.String({ minLength: 1, maxLength: 40, description: 'What is left, e.g. "half" or "3 of 6 cans"' }),
    note: Type.Optional(Type.String({ maxLength: 200 })),
    bookingId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** 存酒 / 取酒: staff keep a member's unfinished bottle for the venue's storage period, and bring it out again. */
export const bottleCommands: FastifyPluginAsyncTypebox<Readonly<{ store: EventStore; clock: Clock }>> = async (app, ctx) => {
  app.post(
    '/bottles',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['desk'],
        summary: 'Store a member’s unfinished bottle (存酒) for the venue’s storage period',
        description: '`422 unknown_member`, `422 unknown_product`; the bottle expires after `bottleStorageDays` (venue setting).',
        body: StoreBody,
        response: replies({ 201: Type.Object({ id: Type.String(), expiresAt: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const { memberId, productId, remaining, note = null, bookingId = null } = request.body;
      const actor = actorOf(request);
      const now = ctx.clock();
      const member = isUuid(memberId) ? await currentUser(ctx.store, memberId) : null;
      if (!member) throw new UnprocessableError('unknown_member', `No member ${memberId}.`, { field: 'memberId' });
      const product = isUuid(productId) ? (await load(ctx.store, productStream(productId), productDecider)).state : null;
      if (!product || product.status === 'none')
        throw new UnprocessableError('unknown_product', `No product ${productId}.`, { field: 'productId' });
      const venue = await currentVenue(ctx.store);
      const bottleId = newId<'bottle'>();
      const expiresAt = addMinutes(now, venue.bottleStorageDays * 24 * 60).toISOString();
      const bottle = {
        bottleId,
        memberId: member.id,
        productId: product.productId,
        productName: product.name,
        remaining,
        note,
        bookingId,
        storedBy: actor.userId,
        expiresAt,
        at: now.toISOString(),
      };
      await handle(ctx.store, bottleStream(bottleId), bottleDecider, { type: 'Store', bottle, now, by: actor.userId }, metadataOf(request));
      return reply.code(201).send({ id: bottleId, expiresAt });
    },
  );

  app.post(
    '/bottles/:id/withdraw',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['desk'],
        summary: 'Bring a stored bottle out to the member (取酒); again: nothing more happens',
        description: '`409 bottle_expired` once its storage period has ended.',
        params: IdParams,
        body: Type.Union([
          Type.Object({ bookingId: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
          Type.Null(),
        ]),
        response: replies({ 200: Type.Object({ id: Type.String(), status: Type.Literal('withdrawn') }) }),
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isUuid(id)) throw new NotFoundError('bottle', id);
      const { state } = await load(ctx.store, bottleStream(id), bottleDecider);
      if (state.status === 'none') throw new NotFoundError('bottle', id);
      const actor = actorOf(request);
      const command = { type: 'Withdraw', bookingId: request.body?.bookingId ?? null, now: ctx.clock(), by: actor.userId } as const;
      await handle(ctx.store, bottleStream(id), bottleDecider, command, metadataOf(request));
      return { id, status: 'withdrawn' as const };
    },
  );
};
