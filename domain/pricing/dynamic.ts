import type { DynamicPricing } from '../../src/events/bookings.js';
import type { DynamicRule, RateCard, VenueSettings } from '../../src/events/venue.js';
import type { ExperimentArm } from '../../src/events/experiments.js';
import { addMinutes } from '../../src/clock.js';
import { assignArm } from '../experiments/assignment.js';
import { slotsOf } from '../forecast/demand.js';
import { businessDayBounds } from '../venue/settings.js';

/**
 * The seed's bands: quiet hours (heat < 0.3) 10 % off, normal ones (0.3–0.7) the card's price,
 * busy ones from 15 % up at heat 0.7 to 25 % up when the type is expected full; never below 90 %
 * nor above 125 % of the card.
 */
export const DEFAULT_DYNAMIC_RULE: DynamicRule = {
  bands: [
    { fromHeat: 0, fromMultiplier: 0.9, toMultiplier: 0.9 },
    { fromHeat: 0.3, fromMultiplier: 1, toMultiplier: 1 },
    { fromHeat: 0.7, fromMultiplier: 1.15, toMultiplier: 1.25 },
  ],
  floor: 0.9,
  ceiling: 1.25,
};

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The rule's multiplier at a heat, kept within its floor and ceiling. */
export function multiplierAt(rule: DynamicRule, heat: number): number {
  const bands = [...rule.bands].sort((a, b) => a.fromHeat - b.fromHeat);
  const i = bands.findLastIndex((b) => b.fromHeat <= heat);
  const band = bands[Math.max(0, i)];
  if (!band) return 1;
  const to = bands[i + 1]?.fromHeat ?? 1;
  const share = to > band.fromHeat ? Math.min(1, (heat - band.fromHeat) / (to - band.fromHeat)) : 0;
  const m = band.fromMultiplier + share * (band.toMultiplier - band.fromMultiplier);
  return round4(Math.min(rule.ceiling, Math.max(rule.floor, m)));
}

/**
 * A room subtotal under a multiplier: rounded to whole yuan, and still within the floor and
 * ceiling after rounding (when a whole yuan fits between them). Multiplier 1 leaves it as is.
 */
export function dynamicSubtotal(subtotal: number, multiplier: number, rule: DynamicRule): number {
  if (multiplier === 1) return subtotal;
  const yuan = Math.round((subtotal * multiplier) / 100) * 100;
  const low = Math.ceil((subtotal * rule.floor) / 100) * 100;
  const high = Math.floor((subtotal * rule.ceiling) / 100) * 100;
  return low <= high ? Math.min(high, Math.max(low, yuan)) : yuan;
}

/** A recorded forecast for one business date: heat per room type, 24 values in business-day hour order. */
export type DemandSnapshot = Readonly<{ modelVersion: number; heat: Readonly<Record<string, readonly number[]>>; at: string }>;

/** The heat of a stay: the mean heat of the business-day hours it covers. */
export function stayHeat(hours: readonly number[], start: Date, end: Date, businessDate: string, venue: VenueSettings): number {
  const slots = slotsOf(start, end, businessDayBounds(businessDate, venue).start);
  if (slots.length === 0) return 0;
  return Math.round((slots.reduce((s, i) => s + (hours[i] ?? 0), 0) / slots.length) * 1000) / 1000;
}

/** What a hold's price is decided with, besides the card: everything the write side read for it. */
export type DynamicInputs = Readonly<{
  /** The kill switch: false prices every hold at the card's own price. */
  enabled: boolean;
  snapshot: DemandSnapshot | null;
  /** The guest's arm when an experiment on dynamic pricing runs; the `off` arm gets the card's price. */
  experiment: Readonly<{ id: string; arm: string }> | null;
  roomTypeId: string;
  start: Date;
  end: Date;
  businessDate: string;
  venue: VenueSettings;
}>;

export type DynamicDecision = Omit<DynamicPricing, 'baseTotal' | 'uplift'>;

/** The name of the arm of a dynamic-pricing experiment that keeps the card's own prices. */
export const OFF_ARM = 'off';

/** Decides the multiplier of a stay under a card's rule, and records why when it is not applied. */
export function decideDynamic(rule: DynamicRule, input: DynamicInputs): DynamicDecision {
  const hours = input.snapshot?.heat[input.roomTypeId];
  const heat = hours ? stayHeat(hours, input.start, input.end, input.businessDate, input.venue) : null;
  const recorded = {
    heat,
    modelVersion: input.snapshot?.modelVersion ?? null,
    forecastAt: input.snapshot?.at ?? null,
    experiment: input.experiment,
  };
  if (!input.enabled) return { status: 'switched_off', multiplier: 1, ...recorded };
  if (input.experiment?.arm === OFF_ARM) return { status: 'off_arm', multiplier: 1, ...recorded };
  if (heat === null) return { status: 'no_forecast', multiplier: 1, ...recorded };
  return { status: 'applied', multiplier: multiplierAt(rule, heat), ...recorded };
}

/** What a dynamic price is made from besides the card, as the write side or a read model has it. */
export type DynamicFacts = Readonly<{
  enabled: boolean;
  snapshot: DemandSnapshot | null;
  /** The experiment the switch names, if any: a stopped one splits nothing. */
  experiment: Readonly<{ id: string; running: boolean; arms: readonly ExperimentArm[] }> | null;
}>;

/**
 * The dynamic decision for a stay, for quote(): undefined when the card has no rule. The hold and
 * the quotes both price through here, so a quote shows what a hold would record.
 */
export function dynamicFor(
  card: RateCard,
  venue: VenueSettings,
  stay: Readonly<{ roomTypeId: string; start: Date; minutes: number; businessDate: string; guestId: string | null }>,
  facts: DynamicFacts,
): DynamicDecision | undefined {
  if (!card.dynamic) return undefined;
  const x = facts.experiment;
  const experiment = x?.running && stay.guestId !== null ? { id: x.id, arm: assignArm(x.id, x.arms, stay.guestId).name } : null;
  return decideDynamic(card.dynamic, {
    enabled: facts.enabled,
    snapshot: facts.snapshot,
    experiment,
    roomTypeId: stay.roomTypeId,
    start: stay.start,
    end: addMinutes(stay.start, stay.minutes),
    businessDate: stay.businessDate,
    venue,
  });
}
