import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../../projections/read-models.js';
import type { PlatformDatabase } from '../../src/db/schema.js';
import { buildModel, MODEL_VERSION, type Interaction, type SimilarityModel } from './model.js';

/** Bookings that say what a guest chose: everything but a hold that ran out. */
const CHOSEN = ['held', 'confirmed', 'checked_in', 'checked_out', 'no_show', 'cancelled'] as const;
/** How far back the recommender learns from. */
export const LEARNING_DAYS = 365;

/** Guests' bookings from `rm.bookings` as interactions (all guests, or one). */
export async function interactions(db: Kysely<ReadModels>, now: Date, guestId?: string): Promise<Interaction[]> {
  let query = db
    .selectFrom('bookings')
    .select(['guest_id', 'room_type_id', 'room_id', 'start_at', 'party_size', sql<number>`base_price + extra_total`.as('spend')])
    .where('guest_id', 'is not', null)
    .where('status', 'in', CHOSEN)
    .where('start_at', '>=', new Date(now.getTime() - LEARNING_DAYS * 86_400_000));
  if (guestId !== undefined) query = query.where('guest_id', '=', guestId);
  const rows = await query.execute();
  return rows.map((r) => ({
    guestId: r.guest_id ?? '',
    roomTypeId: r.room_type_id,
    roomId: r.room_id,
    at: r.start_at,
    spend: Number(r.spend),
    partySize: r.party_size,
  }));
}

/** The nightly build: learns item similarities from every guest's bookings and keeps only the newest model. */
export async function buildRecommender(db: Kysely<PlatformDatabase>, readModels: Kysely<ReadModels>, now: Date): Promise<SimilarityModel> {
  const model = buildModel(await interactions(readModels, now), now);
  await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('recommender_models')
      .values({ built_at: now, model: sql`${JSON.stringify(model)}::jsonb` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('recommender_models').where('id', '<', id).execute();
  });
  return model;
}

/** The newest model of this code's version, or null (never built, or built by an older version). */
export async function latestModel(db: Kysely<PlatformDatabase>): Promise<SimilarityModel | null> {
  const row = await db.selectFrom('recommender_models').select('model').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const model = row?.model as SimilarityModel | undefined;
  return model && model.version === MODEL_VERSION ? model : null;
}
