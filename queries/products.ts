import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { replies } from '../src/http/schemas.js';

const Product = Type.Object({
  id: Type.String(),
  name: Type.String(),
  category: Type.String(),
  unit: Type.String(),
  price: Type.Integer({ description: 'fen' }),
  stock: Type.Union([Type.Integer(), Type.Null()], { description: 'On hand; null when not counted' }),
  available: Type.Boolean(),
});

/** The catalogue as the desk sees it, from `rm.products`: by category, then name. */
export const productQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, { readModels: db }) => {
  app.get(
    '/products',
    {
      config: { permission: 'booking:read' },
      schema: {
        tags: ['desk'],
        summary: 'The product catalogue with current stock',
        querystring: Type.Object(
          { category: Type.Optional(Type.String({ maxLength: 40 })), available: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Array(Product) }),
      },
    },
    async (request) => {
      let q = db.selectFrom('products').select(['id', 'name', 'category', 'unit', 'price', 'stock', 'available']);
      if (request.query.category !== undefined) q = q.where('category', '=', request.query.category);
      if (request.query.available !== undefined) q = q.where('available', '=', request.query.available);
      const rows = await q.orderBy('category').orderBy('name').orderBy('id').execute();
      return rows.map((r) => ({ ...r, price: Number(r.price) }));
    },
  );
};
