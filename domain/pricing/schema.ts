import { Type } from '@sinclair/typebox';
import type { DynamicPricing } from '../../src/events/bookings.js';

/** How a price's dynamic part is shown (hold, availability): what the hold records, in short. */
export const DynamicPriceReply = Type.Union([
  Type.Object({
    status: Type.Union([Type.Literal('applied'), Type.Literal('switched_off'), Type.Literal('no_forecast'), Type.Literal('off_arm')]),
    heat: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: "The stay's mean forecast heat" }),
    multiplier: Type.Number({ description: "On the card's room price, within its floor and ceiling" }),
    modelVersion: Type.Union([Type.Integer(), Type.Null()]),
    baseTotal: Type.Integer({ description: "The card's own price, in fen" }),
    uplift: Type.Integer({ description: 'total − baseTotal, in fen (negative in quiet hours)' }),
  }),
  Type.Null(),
]);

/** The shown part of a recorded dynamic price. */
export function dynamicReply(d: DynamicPricing | null) {
  if (!d) return null;
  const { status, heat, multiplier, modelVersion, baseTotal, uplift } = d;
  return { status, heat, multiplier, modelVersion, baseTotal, uplift };
}
