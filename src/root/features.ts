import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform.js';
import type { Projection } from '../projections/projection.js';
import { roomTypeCommands } from '../../commands/room-types/routes.js';
import { roomCommands } from '../../commands/rooms/routes.js';
import { cleanedRoute } from '../../commands/room-days/cleaned.js';
import { roomQueries } from '../../queries/rooms.js';
import { roomsProjection } from '../../projections/rooms.js';
import { userCommands } from '../../commands/users/routes.js';
import { sessionCommands } from '../../commands/sessions/routes.js';
import { oauthCommands } from '../../commands/sessions/oauth.js';
import { staffCommands } from '../../commands/staff/routes.js';
import { wechatCommands } from '../../commands/sessions/wechat.js';
import { memberLevelJobs } from '../../commands/users/earned.js';
import { userQueries } from '../../queries/users.js';
import { usersProjection } from '../../projections/users.js';
import { deskAuditProjection } from '../../projections/desk-audit.js';
import { venueCommands } from '../../commands/venue/routes.js';
import { bookingCommands } from '../../commands/bookings/routes.js';
import { settlementCommands } from '../../commands/settlement/routes.js';
import { refundExpiredHold } from '../../commands/settlement/expiry.js';
import { bookingJobs } from '../../commands/bookings/expiry.js';
import type { JobHandler } from '../jobs/queue.js';
import type { AdmissionWorker } from '../jobs/admission.js';
import { admitHold } from '../../commands/bookings/admission.js';
import { paymentCommands } from '../../commands/payments/routes.js';
import { paymentJobs } from '../../commands/payments/jobs.js';
import { ledgerQueries } from '../../queries/ledger.js';
import { ledgerCommands } from '../../commands/ledger/routes.js';
import { ledgerPeriodQueries } from '../../queries/ledger-periods.js';
import { ledgerJobRoutes, ledgerJobs } from '../../queries/ledger-jobs.js';
import { ledgerAccountQueries } from '../../queries/ledger-accounts.js';
import { ledgerExportQueries } from '../../queries/ledger-exports.js';
import { ACCOUNTS } from '../../projections/ledger/accounts.js';
import { paymentQueries } from '../../queries/payments.js';
import { reconciliationQueries } from '../../queries/reconciliation.js';
import { availabilityQueries } from '../../queries/availability.js';
import { bookingQueries } from '../../queries/bookings.js';
import { venueQueries } from '../../queries/venue.js';
import { bookingsProjection } from '../../projections/bookings.js';
import { venueProjection } from '../../projections/venue.js';
import { ledgerProjection } from '../../projections/ledger/journal.js';
import { paymentsProjection } from '../../projections/payments.js';
import { productsProjection } from '../../projections/products.js';
import { adjustmentsProjection } from '../../projections/adjustments.js';
import { adjustmentRequestCommands } from '../../commands/adjustment-requests/routes.js';
import { adjustmentQueries } from '../../queries/adjustments.js';
import { receiptQueries } from '../../queries/receipts/route.js';
import { fapiaoProjection } from '../../projections/fapiao.js';
import { fapiaoCommands } from '../../commands/fapiao/routes.js';
import { fapiaoQueries } from '../../queries/fapiao.js';
import { bottlesProjection } from '../../projections/bottles.js';
import { bottleCommands } from '../../commands/bottles/routes.js';
import { bottleQueries } from '../../queries/bottles.js';
import { productCommands } from '../../commands/products/routes.js';
import { orderCommands } from '../../commands/orders/routes.js';
import { productQueries } from '../../queries/products.js';
import { releaseCommands } from '../../commands/venue/releases.js';
import { releaseQueries } from '../../queries/releases.js';
import { releasesProjection } from '../../projections/releases.js';
import { waitlistCommands } from '../../commands/waitlist/routes.js';
import { waitlistJobs } from '../../commands/waitlist/offers.js';
import { waitlistQueries } from '../../queries/waitlist.js';
import { waitlistProjection } from '../../projections/waitlist.js';
import { experimentCommands } from '../../commands/experiments/routes.js';
import { experimentQueries } from '../../queries/experiments.js';
import { forecastQueries } from '../../queries/forecast.js';
import { recommendationQueries } from '../../queries/recommendations/routes.js';
import { recommenderJobs } from '../../queries/recommendations/jobs.js';
import { forecastJobs } from '../../queries/forecast-jobs.js';
import { dynamicPricingQueries } from '../../queries/dynamic-pricing.js';
import { dynamicPricingCommands } from '../../commands/venue/dynamic-pricing.js';
import { searchAnalytics } from '../../queries/search-analytics.js';
import { experimentsProjection } from '../../projections/experiments.js';
import { sweepAnalytics } from '../analytics/events.js';
import { walletCommands } from '../../commands/wallets/routes.js';
import { walletJobs } from '../../commands/wallets/jobs.js';
import { tillRepairJobs } from '../../commands/payments/till-repair.js';
import { shiftCommands } from '../../commands/shifts/routes.js';
import { storedValueQueries } from '../../queries/stored-value.js';
import { storedValueProjection } from '../../projections/stored-value.js';
import { shiftsProjection } from '../../projections/shifts.js';
import { dailyCloseQueries } from '../../queries/daily-close/routes.js';
import { ownerReportQueries } from '../../queries/owner-report.js';
import { shiftQueries } from '../../queries/shifts.js';

import { boardProjection } from '../../projections/board.js';
import { boardQueries } from '../../queries/board/routes.js';
import { boardDueBy } from '../../queries/board/due.js';
import { floorClock } from '../../commands/floor/clock.js';

import { webhookCommands } from '../../commands/webhooks/routes.js';
import { webhookQueries } from '../../queries/webhooks.js';
import { webhookOutbox } from '../webhooks/outbox.js';
import { webhookJobs } from '../webhooks/delivery.js';
import { sendArrivalReminders } from '../../queries/reminders/arrival.js';
import { LogNotifier } from '../notifications/log.js';

import { guestEvents } from '../../queries/guest-events/routes.js';
import { tellGuest } from '../infra/guest-news.js';
import { webPages } from '../http/pages.js';
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
    // First, so it sees the searches the routes after it answer.
    await app.register(searchAnalytics, platform);
    await app.register(userCommands, platform);
    await app.register(sessionCommands, platform);
    await app.register(oauthCommands, platform);
    await app.register(staffCommands, platform);
    await app.register(wechatCommands, platform);
    await app.register(userQueries, context);
    await app.register(roomTypeCommands, platform);
    await app.register(roomCommands, platform);
    await app.register(cleanedRoute, platform);
    await app.register(roomQueries, context);
    await app.register(venueCommands, platform);
    await app.register(dynamicPricingCommands, platform);
    await app.register(bookingCommands, platform);
    await app.register(settlementCommands, platform);
    await app.register(paymentCommands, platform);
    await app.register(ledgerQueries, context);
    await app.register(ledgerPeriodQueries, context);
    await app.register(ledgerJobRoutes, context);
    await app.register(ledgerAccountQueries, context);
    await app.register(ledgerExportQueries, context);
    await app.register(ledgerCommands, { ...platform, accounts: new Set(Object.values(ACCOUNTS).map((a) => a.code)) });
    await app.register(paymentQueries, context);
    await app.register(reconciliationQueries, context);
    await app.register(availabilityQueries, context);
    await app.register(bookingQueries, context);
    await app.register(venueQueries, context);
    await app.register(productCommands, platform);
    await app.register(orderCommands, platform);
    await app.register(productQueries, context);
    await app.register(adjustmentRequestCommands, platform);
    await app.register(adjustmentQueries, context);
    await app.register(receiptQueries, context);
    await app.register(fapiaoCommands, platform);
    await app.register(fapiaoQueries, context);
    await app.register(bottleCommands, platform);
    await app.register(bottleQueries, context);
    await app.register(releaseCommands, platform);
    await app.register(releaseQueries, context);
    await app.register(waitlistCommands, platform);
    await app.register(waitlistQueries, context);
    await app.register(boardQueries, context);
    await app.register(guestEvents, platform);
    await app.register(floorClock, { ...platform, due: boardDueBy(context.readModels) });
    await app.register(webPages, { webDir: platform.config.webDir });
    await app.register(experimentCommands, platform);
    await app.register(experimentQueries, context);
    await app.register(forecastQueries, context);
    await app.register(dynamicPricingQueries, context);
    await app.register(recommendationQueries, context);
    await app.register(webhookCommands, platform);
    await app.register(webhookQueries, platform);
    await app.register(walletCommands, platform);
    await app.register(shiftCommands, platform);
    await app.register(storedValueQueries, context);
    await app.register(dailyCloseQueries, context);
    await app.register(ownerReportQueries, context);
    await app.register(shiftQueries, context);
  };

// The runner visits builds in this order after each wake-up: the board first, since screens wait on it.
export const projections: readonly Projection[] = [
  boardProjection,
  usersProjection,
  roomsProjection,
  venueProjection,
  bookingsProjection,
  paymentsProjection,
  ledgerProjection,
  productsProjection,
  adjustmentsProjection,
  fapiaoProjection,
  bottlesProjection,
  releasesProjection,
  waitlistProjection,
  experimentsProjection,
  webhookOutbox,
  deskAuditProjection,
  storedValueProjection,
  shiftsProjection,
];

/** The admission queue's worker: queued holds run the hold command itself. */
export const admissionWorker = (platform: Platform): AdmissionWorker => {
  const admit = admitHold(platform);
  return async (request) => {
    const outcome = await admit(request);
    // The guest's own stream hears the outcome as soon as it is decided (GET /me/events).
    const data = outcome.status === 'held' ? { bookingId: outcome.bookingId } : { problem: outcome.problem };
    await tellGuest(platform.news, request.owner, { event: 'booking-request', data: { id: request.id, status: outcome.status, ...data } });
    return outcome;
  };
};

export function jobs(platform: Platform): { handlers: Record<string, JobHandler>; sweeps: (() => Promise<void>)[] } {
  const analyticsRetention = {
    handlers: {},
    sweeps: [() => sweepAnalytics(platform.db, platform.config.analyticsRetentionDays, platform.clock()).then(() => undefined)],
  };
  const readModels = readModelsOf(platform.pool);
  const recommender = recommenderJobs({ ...platform, readModels });
  const ledger = ledgerJobs({ ...platform, readModels });
  const forecasts = forecastJobs({ ...platform, readModels });
  // Guests are told through the notification port; the log provider until a real one is configured.
  const notifier = new LogNotifier(platform.logger);
  const reminders = {
    handlers: {},
    sweeps: [() => sendArrivalReminders({ ...platform, readModels, notifier }).then(() => undefined)],
  };
  const parts = [
    bookingJobs({ ...platform, afterExpiry: refundExpiredHold(platform) }),
    paymentJobs(platform),
    waitlistJobs(platform),
    analyticsRetention,
    recommender,
    ledger,
    walletJobs(platform),
    tillRepairJobs(platform),
    forecasts,
    webhookJobs(platform),
    memberLevelJobs(platform),
    reminders,
  ];
  const handlers = Object.fromEntries(parts.flatMap((p) => Object.entries(p.handlers)));
  return { handlers, sweeps: parts.flatMap((p) => p.sweeps) };
}
