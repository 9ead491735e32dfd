import type { DomainEvent } from './event.js';
import type { MembershipLevel } from './users.js';

/**
 * How the venue runs. Opening hours are local minutes from the business-day
 * start, so 12:00–06:00 (crossing midnight) is one interval and `openAllDay`
 * covers 24 hours.
 */
export type VenueSettings = Readonly<{
  timeZone: string;
  /** Local time the business day starts, in minutes after midnight (06:00 = 360). */
  businessDayStartMinute: number;
  openAllDay: boolean;
  /** When not open all day: local opening and closing times, minutes after midnight; closing may be after midnight. */
  opensAtMinute: number;
  closesAtMinute: number;
  holdMinutes: number;
  gridMinutes: number;
  minDurationMinutes: number;
  maxDurationMinutes: number;
  /** Bookings may start at most this many days ahead. */
  maxDaysAhead: number;
  checkInOpensMinutesBefore: number;
  noShowGraceMinutes: number;
  /** Cancelling at least this long before the start refunds everything paid; later, nothing. */
  fullRefundMinutesBefore: number;
  /** Business dates priced as weekends. */
  holidays: readonly string[];
  /** How many bookings one guest may have in status `held` at once. */
  maxActiveHolds: number;
  /**
   * Value-added tax on sales, in percent (a general taxpayer's services 6, a small-scale one 1 or 3;
   * 0: not charged). Prices include it; check-out records the rate and the tax in the bill.
   */
  vatRatePercent: number;
  /** The room board shows a room `reserved` from this many minutes before a held or confirmed booking starts. */
  reservedWindowMinutes: number;
  /** A party checked in past its end is billed overtime once it is this many minutes late. */
  overtimeGraceMinutes: number;
  /** Overtime is billed by each started unit of this many minutes (so any overtime billed costs at least one). */
  billingUnitMinutes: number;
  /**
   * What waiters may take off one bill, in fen, in corrections they approve themselves; anything
   * more needs a manager (0: every correction does).
   */
  waiterAdjustmentLimit: number;
  /** The venue's name as printed on receipts. */
  venueName: string;
  /** How many days a member's stored bottle (存酒) is kept. */
  bottleStorageDays: number;
}>;

export type DayKind = 'weekday' | 'weekend';

/** A time band in local time; `toMinute` may be 1440 (midnight). Bands tile the day. */
export type Band = Readonly<{ id: string; name: string; fromMinute: number; toMinute: number }>;

/** A fixed price for exactly `minutes` inside one band. */
export type Package = Readonly<{
  id: string;
  name: string;
  roomTypeId: string;
  bandId: string;
  dayKind: DayKind | 'any';
  minutes: number;
  price: number;
}>;

/**
 * A heat band of the dynamic rule: from `fromHeat` (inclusive) up to the next band's, the multiplier
 * goes linearly from `fromMultiplier` to `toMultiplier` (equal for a flat band).
 */
export type HeatBand = Readonly<{ fromHeat: number; fromMultiplier: number; toMultiplier: number }>;

/**
 * The opt-in dynamic rule of a rate card: heat (0–1, from the recorded demand forecast) maps to a
 * multiplier on the room price, kept within the manager's floor and ceiling, rounded to whole yuan.
 */
export type DynamicRule = Readonly<{ bands: readonly HeatBand[]; floor: number; ceiling: number }>;

/** Everything a price is made from; every published change is a new `version`. All money in fen. */
export type RateCard = Readonly<{
  version: number;
  currency: 'CNY';
  bands: readonly Band[];
  /** Hourly rate per room type, day kind and band id. */
  hourly: Readonly<Record<string, Readonly<Record<DayKind, Readonly<Record<string, number>>>>>>;
  packages: readonly Package[];
  /** The least a booking of a room type costs. */
  minimumSpend: Readonly<Record<string, number>>;
  /** Percent off for each membership level. */
  memberDiscountPercent: Readonly<Record<MembershipLevel, number>>;
  deposit: Readonly<{ percent: number; minimum: number }>;
  /** Absent: prices are the card's own (cards published before dynamic pricing have none). */
  dynamic?: DynamicRule;
}>;

/** Events of the `venue-settings` stream (schema version 2: settings carry `maxActiveHolds`). */
export type VenueEvent = DomainEvent<'VenueConfigured', Readonly<{ settings: VenueSettings; by: string; at: string }>>;

/** Events of the `ratecard-venue` stream: every publication is a whole new version. */
export type RateCardEvent = DomainEvent<'RateCardPublished', Readonly<{ card: RateCard; by: string; at: string }>>;

export const VENUE_STREAM = 'venue-settings';
export const VENUE_SETTINGS_SCHEMA_VERSION = 6;
export const RATE_CARD_STREAM = 'ratecard-venue';

/**
 * Events of the `venue-releases` stream: when a business date opens for
 * booking (a busy night released at a set hour). Scheduling a date again
 * replaces its opening time.
 */
export type ReleaseEvent = DomainEvent<'ReleaseScheduled', Readonly<{ businessDate: string; opensAt: string; by: string; at: string }>>;

export const RELEASES_STREAM = 'venue-releases';
