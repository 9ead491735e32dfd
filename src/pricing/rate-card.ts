import type { MembershipLevel } from '../events/users.js';

export type DayKind = 'weekday' | 'weekend';

/** A time band in local time; `toMinute` may be 1440 (midnight). Bands tile the day. */
export type Band = Readonly<{ id: string; name: string; fromMinute: number; toMinute: number }>;

/** A fixed price for exactly `minutes` inside one band. */
export type Package = Readonly<{ id: string; name: string; roomTypeId: string; bandId: string; dayKind: DayKind | 'any'; minutes: number; price: number }>;

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
}>;
