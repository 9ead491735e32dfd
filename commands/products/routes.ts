import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { productStream } from '../../src/events/products.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { NotFoundError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import { productDecider } from './decider.js';

export type ProductContext = Readonly<{ store: EventStore; clock: Clock }>;

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 80 }),
  category: Type.String({ minLength: 1, maxLength: 40, description: 'drinks, snacks, fruit, …' }),
  unit: Type.String({ minLength: 1, maxLength: 20, description: 'bottle, plate, …' }),
  price: Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'fen' }),
};

/** 商品: the catalogue managers keep, with stock that moves only by events. */
export const productCommands: FastifyPluginAsyncTypebox<ProductContext> = async (app, ctx) => {
  const { store } = ctx;
  const productId = (id: string) => {
    if (!isUuid(id)) throw new NotFoundError('product', id);
    return id;
  };

  app.post(
    '/products',
    {
      config: { permission: 'product:write' },
      schema: {
        tags: ['desk'],
        summary: 'Add a product to the catalogue; with `stock`, its stock is counted from that opening quantity',
        body: Type.Object(
          {
            ...Fields,
            unit: Type.Optional(Fields.unit),
            stock: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: replies({ 201: Type.Object({ id: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const id = newId<'product'>();
      const stock = b.stock ?? null;
      const definition = {
        productId: id,
        name: b.name,
        category: b.category,
        unit: b.unit ?? 'item',
        price: b.price,
        stockCounted: stock !== null,
      };
      const command = { type: 'Add', definition, initialStock: stock ?? 0, by: principalOf(request).userId, now: ctx.clock() } as const;
      await handle(store, productStream(id), productDecider, command, metadataOf(request), 'new');
      return reply.code(201).send({ id });
    },
  );

  app.put(
    '/products/:id',
    {
      config: { permission: 'product:write' },
      schema: {
        tags: ['desk'],
        summary: 'Change a product: name, category, unit, price, and whether it can be ordered',
        description: 'Orders already placed keep the price they were placed at.',
        params: IdParams,
        body: Type.Object({ ...Fields, available: Type.Boolean() }, { additionalProperties: false }),
        response: replies({ 200: Type.Object({ id: Type.String() }) }),
      },
    },
    async (request) => {
      const id = productId(request.params.id);
      const command = { type: 'Change', productId: id, ...request.body, by: principalOf(request).userId, now: ctx.clock() } as const;
      await handle(store, productStream(id), productDecider, command, metadataOf(request));
      return { id };
    },
  );

  app.post(
    '/products/:id/stock',
    {
      config: { permission: 'product:write' },
      schema: {
        tags: ['desk'],
        summary: 'Receive stock of a counted product',
        params: IdParams,
        body: Type.Object(
          { quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }), note: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: replies({ 201: Type.Object({ id: Type.String(), stock: Type.Integer() }) }),
      },
    },
    async (request, reply) => {
      const id = productId(request.params.id);
      const { quantity, note = 'received' } = request.body;
      const command = { type: 'Receive', productId: id, quantity, note, by: principalOf(request).userId, now: ctx.clock() } as const;
      const { state } = await handle(store, productStream(id), productDecider, command, metadataOf(request));
      return reply.code(201).send({ id, stock: state.status === 'listed' ? state.stock : 0 });
    },
  );
};
