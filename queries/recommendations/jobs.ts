import type { Kysely } from 'kysely';
import type { ReadModels } from '../../projections/read-models.js';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import type { Clock } from '../../src/clock.js';
import { addDays, instantOf, isoDate, localParts } from '../../domain/venue/time.js';
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
    const { timeZone } = await venueSettings(ctx.readModels);
    // The next 04:30 strictly after now, keyed by its calendar date: a finished job is never scheduled again.
    const today = isoDate(localParts(now, timeZone));
    const night = instantOf(today, BUILD_MINUTE, timeZone) > now ? today : addDays(today, 1);
    await ctx.jobs.schedule(RECOMMENDER_BUILD, night, instantOf(night, BUILD_MINUTE, timeZone));
    const latest = await ctx.db.selectFrom('recommender_models').select('built_at').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (latest && now.getTime() - latest.built_at.getTime() > STALE_MS) await build();
  };
  return { handlers: { [RECOMMENDER_BUILD]: build }, sweeps: [sweep] };
};
