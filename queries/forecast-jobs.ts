import type { Kysely } from 'kysely';
import type { ReadModels } from '../projections/read-models.js';
import type { EventStore } from '../src/eventstore/port.js';
import type { JobQueue } from '../src/jobs/queue.js';
import type { Clock } from '../src/clock.js';
import { demandStream } from '../src/events/pricing.js';
import { addDays, instantOf, isoDate, localParts } from '../domain/venue/time.js';
import { businessDateOf } from '../domain/venue/settings.js';
import { latestRateCard, venueSettings } from './venue.js';
import { recordDemandForecasts } from './forecast.js';
import type { Weather } from '../domain/forecast/demand.js';

export const DEMAND_SNAPSHOT = 'demand-snapshot';
/** After the recommender's build (04:30): the night's last bookings are in, the day's first are not. */
const SNAPSHOT_MINUTE = 4 * 60 + 45;

type ForecastJobContext = Readonly<{ readModels: Kysely<ReadModels>; store: EventStore; jobs: JobQueue; clock: Clock; weather?: Weather }>;

/**
 * The nightly forecast snapshot as a delayed job keyed by its date (one worker
 * runs it however many instances schedule it). Each sweep schedules the next
 * night and, when today's date has no snapshot yet (a missed night, a fresh
 * start, a rule just published), records one at once, so holds are not left
 * pricing without one for long.
 */
export const forecastJobs = (ctx: ForecastJobContext) => {
  // Only a card with a dynamic rule reads snapshots: without one, nothing is recorded.
  const record = async () => {
    if ((await latestRateCard(ctx.readModels))?.dynamic) await recordDemandForecasts(ctx.readModels, ctx.store, ctx.clock(), ctx.weather);
  };
  const sweep = async () => {
    const now = ctx.clock();
    const venue = await venueSettings(ctx.readModels);
    const today = isoDate(localParts(now, venue.timeZone));
    const night = instantOf(today, SNAPSHOT_MINUTE, venue.timeZone) > now ? today : addDays(today, 1);
    await ctx.jobs.schedule(DEMAND_SNAPSHOT, night, instantOf(night, SNAPSHOT_MINUTE, venue.timeZone));
    const { version } = await ctx.store.readStream(demandStream(businessDateOf(now, venue)));
    if (version === 0n) await record();
  };
  return { handlers: { [DEMAND_SNAPSHOT]: record }, sweeps: [sweep] };
};
