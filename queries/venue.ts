import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { NotFoundError } from '../src/errors.js';
import { DEFAULT_VENUE } from '../domain/venue/settings.js';
import type { RateCard, VenueSettings } from '../src/events/venue.js';
import { replies } from '../src/http/schemas.js';

export async function venueSettings(db: Kysely<ReadModels>): Promise<VenueSettings> {
  const row = await db.selectFrom('venue_settings').select('settings').where('id', '=', 1).executeTakeFirst();
  return row?.settings ?? DEFAULT_VENUE;
}

export async function latestRateCard(db: Kysely<ReadModels>): Promise<RateCard | null> {
  const row = await db.selectFrom('rate_cards').select('card').orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row?.card ?? null;
}

/** The venue settings and the rate card in force, from `rm.venue_settings` and `rm.rate_cards`. */
export const venueQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, ctx) => {
  const db = ctx.readModels;
  app.get(
    '/venue',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['pricing'],
        summary: 'Opening hours, business day, hold time, grid and policies',
        security: [],
        response: { 200: Type.Ref('VenueSettings') },
      },
    },
    async () => venueSettings(db),
  );
  app.get(
    '/rate-card',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['pricing'],
        summary: 'The rate card in force: bands, hourly rates, packages, minimum spends, member discounts, deposit rule',
        security: [],
        response: replies({ 200: Type.Record(Type.String(), Type.Unknown()) }),
      },
    },
    async () => {
      const card = await latestRateCard(db);
      if (!card) throw new NotFoundError('rate card', 'current');
      return card;
    },
  );
};
