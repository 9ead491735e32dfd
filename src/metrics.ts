import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BookingEvent } from './events/bookings.js';
import type { PaymentEvent } from './events/payments.js';

/** The service's Prometheus metrics, on a registry of its own so several apps can share a process in tests. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly appends = new Counter({
    name: 'eventstore_appends_total',
    help: 'Successful appends to the event store, by stream type',
    labelNames: ['stream_type'] as const,
    registers: [this.registry],
  });
  readonly appendedEvents = new Counter({
    name: 'eventstore_appended_events_total',
    help: 'Events appended to the event store',
    registers: [this.registry],
  });
  readonly conflicts = new Counter({
    name: 'eventstore_append_conflicts_total',
    help: 'Appends refused because the stream version had moved, by stream type',
    labelNames: ['stream_type'] as const,
    registers: [this.registry],
  });
  readonly projected = new Counter({
    name: 'projection_events_applied_total',
    help: 'Events applied by projections run in this process',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly lagEvents = new Gauge({
    name: 'projection_lag_events',
    help: 'Events in the feed not yet applied, per projection build',
    labelNames: ['projection', 'status'] as const,
    registers: [this.registry],
  });
  readonly lagSeconds = new Gauge({
    name: 'projection_lag_seconds',
    help: 'Age of the oldest event not yet applied, per projection build',
    labelNames: ['projection', 'status'] as const,
    registers: [this.registry],
  });

  readonly bookingQueueWait = new Histogram({
    name: 'booking_queue_wait_seconds',
    help: 'How long a queued hold waited before a worker took it',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  // Business counters, counted where the events are appended (every instance counts its own; sum them).
  // Conversion is confirmations over holds, in PromQL (monitoring/rules.yml records it).
  readonly holds = new Counter({
    name: 'ktv_holds_total',
    help: 'Bookings held (BookingHeld)',
    registers: [this.registry],
  });
  readonly confirmations = new Counter({
    name: 'ktv_confirmations_total',
    help: 'Bookings confirmed (BookingConfirmed)',
    registers: [this.registry],
  });
  readonly expiries = new Counter({
    name: 'ktv_hold_expiries_total',
    help: 'Holds that expired unpaid (BookingExpired)',
    registers: [this.registry],
  });
  readonly payments = new Counter({
    name: 'ktv_payments_total',
    help: 'Payments received (PaymentSucceeded), by method and purpose',
    labelNames: ['method', 'purpose'] as const,
    registers: [this.registry],
  });
  readonly revenue = new Counter({
    name: 'ktv_revenue_fen_total',
    help: 'Money received, in fen (PaymentSucceeded amounts), by method and purpose',
    labelNames: ['method', 'purpose'] as const,
    registers: [this.registry],
  });
  readonly refunds = new Counter({
    name: 'ktv_refunds_fen_total',
    help: 'Money refunded, in fen (RefundSucceeded amounts), by method',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reports the admission queue's depth, read when the metrics are scraped. */
  watchBookingQueue(depth: () => Promise<number>): void {
    new Gauge({
      name: 'booking_queue_depth',
      help: 'Holds queued or being decided in the admission queue',
      registers: [this.registry],
      async collect() {
        this.set(await depth().catch(() => 0));
      },
    });
  }

  /** Counts what the appended events mean for the business; other event types are ignored. */
  countBusiness(events: readonly { type: string; data: unknown }[]): void {
    for (const event of events as readonly (BookingEvent | PaymentEvent)[]) {
      switch (event.type) {
        case 'BookingHeld':
          this.holds.inc();
          break;
        case 'BookingConfirmed':
          this.confirmations.inc();
          break;
        case 'BookingExpired':
          this.expiries.inc();
          break;
        case 'PaymentSucceeded': {
          const labels = { method: event.data.method, purpose: event.data.purpose };
          this.payments.inc(labels);
          this.revenue.inc(labels, event.data.amount);
          break;
        }
        case 'RefundSucceeded':
          this.refunds.inc({ method: event.data.method }, event.data.amount);
          break;
      }
    }
  }
}
