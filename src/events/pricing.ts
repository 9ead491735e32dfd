import type { DomainEvent } from './event.js';

/**
 * Events of `demand-<businessDate>` streams: a snapshot of the demand forecast for one business
 * date, recorded by the nightly job (or a manager) so a hold prices from a recorded fact rather
 * than from a read model. `heat` holds, per room type, 24 values in business-day hour order.
 */
export type DemandEvent = DomainEvent<
  'DemandForecastRecorded',
  Readonly<{
    businessDate: string;
    modelVersion: number;
    heat: Readonly<Record<string, readonly number[]>>;
    at: string;
  }>
>;

export const demandStream = (businessDate: string) => `demand-${businessDate}`;

/**
 * Events of the `dynamic-pricing` stream: the kill switch, and the experiment (subject
 * `dynamic_pricing`) whose `off` arm gets the card's own prices. No event: on, no experiment.
 */
export type DynamicPricingEvent = DomainEvent<
  'DynamicPricingSet',
  Readonly<{ enabled: boolean; experimentId: string | null; by: string; at: string }>
>;

export const DYNAMIC_PRICING_STREAM = 'dynamic-pricing';
