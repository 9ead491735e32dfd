import { ConflictError } from '../../src/errors.js';
import type { MembershipLevel } from '../../src/events/users.js';
import { businessDateOf, isWeekendOrHoliday } from '../venue/settings.js';
import { minuteOfDay } from '../venue/time.js';
import type { Band, DayKind, Package, RateCard, VenueSettings } from '../../src/events/venue.js';
import type { BandLine, Price } from '../../src/events/bookings.js';
import { dynamicSubtotal, type DynamicDecision } from './dynamic.js';

/** The rate card cannot price this (no rates for the room type, no band for a minute): a gap in the card, not in the code. */
export class PricingError extends Error {}

function bandAt(card: RateCard, minute: number): Band {
  const band = card.bands.find((b) => minute >= b.fromMinute && minute < b.toMinute);
  if (!band) throw new PricingError(`rate card ${card.version} has no band for minute ${minute}`);
  return band;
}

/**
 * Prices `minutes` from `start` for a room type: minute by minute across bands
 * (the day kind follows the business date), a package when one fits the whole
 * stay and is cheaper, then the card's dynamic multiplier when one is decided (rounded to whole
 * yuan, within the card's floor and ceiling), then the member discount. The room type's minimum spend is recorded
 * beside the room price, not in it: it applies to the whole bill (room time and products) at
 * check-out; the deposit is taken on whichever is more, the room price or the minimum.
 * Pure: the same inputs give the same quote, to the fen.
 */
export function quote(
  card: RateCard,
  venue: VenueSettings,
  input: { roomTypeId: string; start: Date; minutes: number; memberLevel: MembershipLevel; dynamic?: DynamicDecision },
): Price {
  const rates = card.hourly[input.roomTypeId];
  if (!rates) throw new PricingError(`rate card ${card.version} has no rates for room type ${input.roomTypeId}`);
  const dayKind: DayKind = isWeekendOrHoliday(businessDateOf(input.start, venue), venue) ? 'weekend' : 'weekday';
  const perBand = new Map<string, number>();
  const first = minuteOfDay(input.start, venue.timeZone);
  for (let i = 0; i < input.minutes; i++) {
    const band = bandAt(card, (first + i) % 1440);
    perBand.set(band.id, (perBand.get(band.id) ?? 0) + 1);
  }
  const bands: BandLine[] = [...perBand].map(([bandId, minutes]) => {
    const hourlyRate = rates[dayKind][bandId];
    if (hourlyRate === undefined)
      throw new PricingError(`rate card ${card.version} has no ${dayKind} rate for ${input.roomTypeId} in ${bandId}`);
    return { bandId, dayKind, minutes, hourlyRate, amount: Math.round((hourlyRate * minutes) / 60) };
  });
  const byBands = bands.reduce((sum, b) => sum + b.amount, 0);
  const pkg = bestPackage(card.packages, input.roomTypeId, dayKind, bands, input.minutes, byBands);
  const baseSubtotal = pkg ? pkg.price : byBands;
  const percent = card.memberDiscountPercent[input.memberLevel] ?? 0;
  const rule = input.dynamic ? card.dynamic : undefined;
  const subtotal = rule && input.dynamic ? dynamicSubtotal(baseSubtotal, input.dynamic.multiplier, rule) : baseSubtotal;
  const discount = Math.round((subtotal * percent) / 100);
  const afterDiscount = subtotal - discount;
  const baseTotal = baseSubtotal - Math.round((baseSubtotal * percent) / 100);
  const minimum = card.minimumSpend[input.roomTypeId] ?? 0;
  const total = afterDiscount;
  const committed = Math.max(total, minimum);
  const deposit = Math.min(committed, Math.max(card.deposit.minimum, Math.round((committed * card.deposit.percent) / 100)));
  return {
    total,
    deposit,
    currency: card.currency,
    rateCardVersion: card.version,
    breakdown: {
      bands,
      package: pkg ? { id: pkg.id, name: pkg.name, price: pkg.price } : null,
      subtotal,
      discount: { level: input.memberLevel, percent, amount: discount },
      // Prices recorded before the minimum spend moved to the bill carry their top-up here, inside `total`.
      minimumSpend: { amount: minimum, topUp: 0 },
    },
    dynamic: rule && input.dynamic ? { ...input.dynamic, baseTotal, uplift: total - baseTotal } : null,
  };
}

function bestPackage(
  packages: readonly Package[],
  roomTypeId: string,
  dayKind: DayKind,
  bands: readonly BandLine[],
  minutes: number,
  byBands: number,
) {
  const only = bands.length === 1 ? bands[0] : undefined;
  if (!only) return null;
  const fitting = packages.filter(
    (p) =>
      p.roomTypeId === roomTypeId &&
      p.bandId === only.bandId &&
      (p.dayKind === 'any' || p.dayKind === dayKind) &&
      p.minutes === minutes &&
      p.price < byBands,
  );
  return fitting.sort((a, b) => a.price - b.price)[0] ?? null;
}

/**
 * quote() for a command: a room the card in force cannot price (typically a room
 * type created after the card was published) is refused with a stable 409
 * until a card that prices it is published, rather than failing as a 500.
 */
export function quoteOrRefuse(card: RateCard, venue: VenueSettings, input: Parameters<typeof quote>[2]): Price {
  try {
    return quote(card, venue, input);
  } catch (err) {
    if (!(err instanceof PricingError)) throw err;
    throw new ConflictError('room_not_priced', `The rate card in force does not price this room: ${err.message}.`, {
      roomTypeId: input.roomTypeId,
      rateCardVersion: card.version,
    });
  }
}
