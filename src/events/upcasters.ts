import type { Upcaster } from './event.js';

/** Prices recorded before dynamic pricing: the card's own price, no dynamic part. */
const priceWithoutDynamic = (type: string): Upcaster => ({
  type,
  fromVersion: 1,
  up: (data) => {
    const d = data as { price: Record<string, unknown> };
    return { ...d, price: { dynamic: null, ...d.price } };
  },
});

/**
 * Every schema change of a stored event, oldest first. An entry lifts an event
 * from `fromVersion` to the next; src/eventstore/upcast.ts chains them on read.
 */
export const upcasters: readonly Upcaster[] = [
  {
    // Settings recorded before hold limits had none: the limit then in force is the default one.
    type: 'VenueConfigured',
    fromVersion: 1,
    up: (data) => {
      const d = data as { settings: Record<string, unknown> };
      return { ...d, settings: { maxActiveHolds: 2, ...d.settings } };
    },
  },
  {
    // Settings recorded before VAT was a setting: none was charged.
    type: 'VenueConfigured',
    fromVersion: 2,
    up: (data) => {
      const d = data as { settings: Record<string, unknown> };
      return { ...d, settings: { vatRatePercent: 0, ...d.settings } };
    },
  },
  {
    // Settings recorded before the room board: a room shows reserved an hour before its booking.
    type: 'VenueConfigured',
    fromVersion: 3,
    up: (data) => {
      const d = data as { settings: Record<string, unknown> };
      return { ...d, settings: { reservedWindowMinutes: 60, ...d.settings } };
    },
  },
  {
    // Settings recorded before overtime was billed: ten minutes' grace, billed by the quarter hour.
    type: 'VenueConfigured',
    fromVersion: 4,
    up: (data) => {
      const d = data as { settings: Record<string, unknown> };
      return { ...d, settings: { overtimeGraceMinutes: 10, billingUnitMinutes: 15, ...d.settings } };
    },
  },
  {
    // Settings recorded before waiters could correct a bill (only managers could), before receipts named the venue
    // and before bottles were stored (30 days, the common house rule).
    type: 'VenueConfigured',
    fromVersion: 5,
    up: (data) => {
      const d = data as { settings: Record<string, unknown> };
      return { ...d, settings: { waiterAdjustmentLimit: 0, venueName: 'KTV', bottleStorageDays: 30, ...d.settings } };
    },
  },
  priceWithoutDynamic('BookingHeld'),
  priceWithoutDynamic('WalkInStarted'),
  priceWithoutDynamic('BookingExtended'),
];

/** The schema version an event of `type` is written at now: one past its last upcaster step. */
export function schemaVersionOf(type: string): number {
  return upcasters.reduce((v, u) => (u.type === type ? Math.max(v, u.fromVersion + 1) : v), 1);
}
