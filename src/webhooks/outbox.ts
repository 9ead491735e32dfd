import { sql } from 'kysely';
import type { RecordedEvent } from '../eventstore/port.js';
import type { BookingEvent } from '../events/bookings.js';
import type { PaymentEvent } from '../events/payments.js';
import { defineProjection } from '../projections/projection.js';

/** The booking and payment events a subscriber can follow. */
export const WEBHOOK_EVENT_TYPES = [
  'BookingHeld',
  'WalkInStarted',
  'BookingConfirmed',
  'BookingCancelled',
  'BookingExpired',
  'BookingCheckedIn',
  'BookingExtended',
  'BookingMoved',
  'BookingCheckedOut',
  'BookingMarkedNoShow',
  'PaymentStarted',
  'PaymentSucceeded',
  'PaymentClosed',
  'RefundRequested',
  'RefundSucceeded',
  'RefundFailed',
] as const satisfies readonly (BookingEvent | PaymentEvent)['type'][];

/** What a subscriber receives: the event as recorded; the body adds the delivery's own `id`. */
export type WebhookPayload = Readonly<{ type: string; eventId: string; streamId: string; occurredAt: string; data: unknown }>;

/**
 * Queues a delivery for every active subscription that wants the event, in the projector's batch
 * transaction, so each event is queued exactly once (and the unique key keeps a rebuild from
 * queuing it again). Only events recorded after a subscription was made are sent to it: a new
 * subscriber or a rebuild never replays history.
 */
export const webhookOutbox = defineProjection<object>({
  name: 'webhook_outbox',
  version: 1,
  tables: [],
  eventTypes: WEBHOOK_EVENT_TYPES,
  async setup() {},
  async apply(trx, events: readonly RecordedEvent[]) {
    if (events.length === 0) return;
    const payloads = events.map((event): WebhookPayload => ({
      type: event.type,
      eventId: event.id,
      streamId: event.streamId,
      occurredAt: event.createdAt.toISOString(),
      data: event.data,
    }));
    // One statement for the batch. Qualified names: the runner binds the handle to this build's schema; the outbox is the platform's.
    await sql`
      INSERT INTO public.webhook_deliveries
        (id, subscription_id, event_id, event_type, payload, status, next_attempt_at, created_at)
      SELECT gen_random_uuid(), s.id, e.id, e.type, e.payload, 'pending', now(), now()
        FROM unnest(
               ${events.map((e) => e.id)}::uuid[],
               ${events.map((e) => e.type)}::text[],
               ${payloads.map((p) => JSON.stringify(p))}::jsonb[],
               ${events.map((e) => e.createdAt.toISOString())}::timestamptz[]
             ) AS e(id, type, payload, created_at)
        JOIN public.webhook_subscriptions s ON s.active AND e.type = ANY (s.event_types) AND s.created_at <= e.created_at
      ON CONFLICT (subscription_id, event_id) DO NOTHING`.execute(trx);
  },
});
