import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Platform } from '../src/platform.js';
import { NotFoundError } from '../src/errors.js';
import { DEFAULT_VENUE } from '../domain/venue/settings.js';
import type { RateCard, VenueSettings } from '../src/events/venue.js';
import type { VenueDatabase } from '../projections/venue.js';

export async function venueSettings(db: Kysely<VenueDatabase>): Promise<VenueSettings> {
  const row = await db.selectFrom('venue_settings').select('settings').where('id', '=', 1).executeTakeFirst();
  return row?.settings ?? DEFAULT_VENUE;
}

export async function latestRateCard(db: Kysely<VenueDatabase>): Promise<RateCard | null> {
  const row = await db.selectFrom('rate_cards').select('card').orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row?.card ?? null;
}

/** The venue settings and the rate card in force, from `rm.venue_settings` and `rm.rate_cards`. */
export const venueQueries: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const db = platform.db.withSchema('rm') as Kysely<VenueDatabase>;
  app.get(
    '/venue',
    { config: { permission: 'public' }, schema: { tags: ['pricing'], summary: 'Opening hours, business day, hold time, grid and policies', security: [], response: { 200: Type.Ref('VenueSettings') } } },
    async () => venueSettings(db),
  );
  app.get(
    '/rate-card',
    {
      config: { permission: 'public' },
      schema: { tags: ['pricing'], summary: 'The rate card in force: bands, hourly rates, packages, minimum spends, member discounts, deposit rule', security: [], response: { 200: Type.Record(Type.String(), Type.Unknown()), '4xx': Type.Ref('Problem') } },
    },
    async () => {
      const card = await latestRateCard(db);
      if (!card) throw new NotFoundError('rate card', 'current');
      return card;
    },
  );
};
