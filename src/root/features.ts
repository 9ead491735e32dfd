import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import type { Projection } from '../projections/projection.js';
import { roomTypeCommands } from '../../commands/room-types/routes.js';
import { roomCommands } from '../../commands/rooms/routes.js';
import { roomQueries } from '../../queries/rooms.js';
import { roomsProjection } from '../../projections/rooms.js';
import { userCommands } from '../../commands/users/routes.js';
import { sessionCommands } from '../../commands/sessions/routes.js';
import { oauthCommands } from '../../commands/sessions/oauth.js';
import { userQueries } from '../../queries/users.js';
import { usersProjection } from '../../projections/users.js';
import { venueCommands } from '../../commands/venue/routes.js';
import { bookingCommands } from '../../commands/bookings/routes.js';
import { settlementCommands } from '../../commands/settlement/routes.js';
import { bookingJobs } from '../../commands/bookings/expiry.js';
import type { JobHandler } from '../jobs/queue.js';
import { paymentCommands } from '../../commands/payments/routes.js';
import { paymentJobs } from '../../commands/payments/jobs.js';
import { ledgerQueries } from '../../queries/ledger.js';
import { paymentQueries } from '../../queries/payments.js';
import { reconciliationQueries } from '../../queries/reconciliation.js';
import { availabilityQueries } from '../../queries/availability.js';
import { bookingQueries } from '../../queries/bookings.js';
import { venueQueries } from '../../queries/venue.js';
import { bookingsProjection } from '../../projections/bookings.js';
import { venueProjection } from '../../projections/venue.js';
import { ledgerProjection } from '../../projections/ledger/journal.js';
import { paymentsProjection } from '../../projections/payments.js';
import { experimentCommands } from '../../commands/experiments/routes.js';
import { experimentQueries } from '../../queries/experiments.js';
import { forecastQueries } from '../../queries/forecast.js';
import { recommendationQueries } from '../../queries/recommendations/routes.js';
import { recommenderJobs } from '../../queries/recommendations/jobs.js';
import { searchAnalytics } from '../../queries/search-analytics.js';
import { experimentsProjection } from '../../projections/experiments.js';
import { sweepAnalytics } from '../analytics/events.js';

import { eventPositionPlugin } from '../http/event-position.js';
import { readModelsOf } from '../../projections/read-models.js';
import { VenueSettingsSchema } from '../../domain/venue/schema.js';

/**
 * The composition root's list of features: every route, registered with the
 * part of the platform it uses (each feature's context type names that part),
 * the projections the projector runs, and the jobs the job queue runs.
 */
export const routes =
  (platform: Platform): FastifyPluginAsync =>
  async (app) => {
    const context = { ...platform, readModels: readModelsOf(platform.pool) };
    // Shared by the venue command and query.
    app.addSchema(VenueSettingsSchema);
    // First, so every feature's answer carries the feed position of what it appended.
    await app.register(eventPositionPlugin);
    await app.register(searchAnalytics, platform);
    await app.register(userCommands, platform);
    await app.register(sessionCommands, platform);
    await app.register(oauthCommands, platform);
    await app.register(userQueries, context);
    await app.register(roomTypeCommands, platform);
    await app.register(roomCommands, platform);
    await app.register(roomQueries, context);
    await app.register(venueCommands, platform);
    await app.register(bookingCommands, platform);
    await app.register(settlementCommands, platform);
    await app.register(paymentCommands, platform);
    await app.register(ledgerQueries, context);
    await app.register(paymentQueries, context);
    await app.register(reconciliationQueries, context);
    await app.register(availabilityQueries, context);
    await app.register(bookingQueries, context);
    await app.register(venueQueries, context);
    await app.register(experimentCommands, platform);
    await app.register(experimentQueries, context);
    await app.register(forecastQueries, context);
    await app.register(recommendationQueries, context);
  };

export const projections: readonly Projection[] = [
  usersProjection,
  roomsProjection,
  venueProjection,
  bookingsProjection,
  paymentsProjection,
  ledgerProjection,
  experimentsProjection,
];

export function jobs(platform: Platform): { handlers: Record<string, JobHandler>; sweeps: (() => Promise<void>)[] } {
  const analyticsRetention = {
    handlers: {},
    sweeps: [() => sweepAnalytics(platform.db, platform.config.analyticsRetentionDays, platform.clock()).then(() => undefined)],
  };
  const recommender = recommenderJobs({ ...platform, readModels: readModelsOf(platform.pool) });
  const parts = [bookingJobs(platform), paymentJobs(platform), analyticsRetention, recommender];
  const handlers = Object.fromEntries(parts.flatMap((p) => Object.entries(p.handlers)));
  return { handlers, sweeps: parts.flatMap((p) => p.sweeps) };
}
