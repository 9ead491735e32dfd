import type { Kysely } from 'kysely';
import type { ReadModels } from '../../projections/read-models.js';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import type { Clock } from '../../src/clock.js';
import { addDays, instantOf } from '../../domain/venue/time.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { venueSettings } from '../venue.js';
import { buildRecommender } from './build.js';

export const RECOMMENDER_BUILD = 'recommender-build';
/** The nightly build runs at this local time, when the venue is quietest. */
const BUILD_MINUTE = 4 * 60 + 30;
/** A model older than this missed a night (the job was lost, or no process ran): rebuilt by the sweep. */
const STALE_MS = 26 * 3_600_000;

type RecommenderJobContext = Readonly<{ db: Kysely<PlatformDatabase>; readModels: Kysely<ReadModels>; jobs: JobQueue; clock: Clock }>;

/**
 * The nightly build as a delayed job keyed by its date (BullMQ with Redis, so
 * one worker runs it however many instances schedule it; a timer otherwise).
 * Each sweep makes sure the next night is scheduled and rebuilds at once a
 * model that missed its night.
 */
export const recommenderJobs = (ctx: RecommenderJobContext) => {
  const build = async () => {
    await buildRecommender(ctx.db, ctx.readModels, ctx.clock());
  };
  const sweep = async () => {
    const now = ctx.clock();
    const venue = await venueSettings(ctx.readModels);
    const tomorrow = addDays(businessDateOf(now, venue), 1);
    await ctx.jobs.schedule(RECOMMENDER_BUILD, tomorrow, instantOf(tomorrow, BUILD_MINUTE, venue.timeZone));
    const latest = await ctx.db.selectFrom('recommender_models').select('built_at').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (latest && now.getTime() - latest.built_at.getTime() > STALE_MS) await build();
  };
  return { handlers: { [RECOMMENDER_BUILD]: build }, sweeps: [sweep] };
};
