import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { replies } from '../src/http/schemas.js';

/** Releases whose business date is `from` or later, soonest first. */
export async function upcomingReleases(db: Kysely<ReadModels>, from: string) {
  const rows = await db
    .selectFrom('releases')
    .select(['business_date', 'opens_at'])
    .where('business_date', '>=', from)
    .orderBy('business_date')
    .limit(366)
    .execute();
  return rows.map((r) => ({ businessDate: r.business_date, opensAt: r.opens_at.toISOString() }));
}

export const releaseQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, ctx) => {
  app.get(
    '/releases',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['busy nights'],
        summary: 'Business dates that open for booking at a set time, from `from` (default: all)',
        security: [],
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date', maxLength: 10 })) }),
        response: replies({
          200: Type.Array(Type.Object({ businessDate: Type.String({ format: 'date' }), opensAt: Type.String({ format: 'date-time' }) })),
        }),
      },
    },
    async (request) => upcomingReleases(ctx.readModels, request.query.from ?? '0000-01-01'),
  );
};
