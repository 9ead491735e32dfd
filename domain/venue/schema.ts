import { Type, type Static } from '@sinclair/typebox';

/** The venue settings as they travel over HTTP; registered once at the root so any route can `$ref` it. */
export const VenueSettingsSchema = Type.Object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    businessDayStartMinute: Type.Integer({ minimum: 0, maximum: 1439 }),
    openAllDay: Type.Boolean(),
    opensAtMinute: Type.Integer({ minimum: 0, maximum: 1439 }),
    closesAtMinute: Type.Integer({ minimum: 0, maximum: 1439 }),
    holdMinutes: Type.Integer({ minimum: 1, maximum: 240 }),
    gridMinutes: Type.Integer({ minimum: 1, maximum: 120 }),
    minDurationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
    maxDurationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
    maxDaysAhead: Type.Integer({ minimum: 1, maximum: 366 }),
    checkInOpensMinutesBefore: Type.Integer({ minimum: 0, maximum: 240 }),
    noShowGraceMinutes: Type.Integer({ minimum: 0, maximum: 240 }),
    fullRefundMinutesBefore: Type.Integer({ minimum: 0, maximum: 10_080 }),
    holidays: Type.Array(Type.String({ format: 'date' }), { maxItems: 366 }),
    maxActiveHolds: Type.Integer({ minimum: 1, maximum: 10_000, default: 2, description: 'Bookings one guest may hold unpaid at once' }),
    vatRatePercent: Type.Integer({
      minimum: 0,
      maximum: 20,
      default: 0,
      description: 'VAT on sales in percent, included in prices; 0: not charged',
    }),
    reservedWindowMinutes: Type.Integer({
      minimum: 0,
      maximum: 720,
      default: 60,
      description: 'The board shows a room reserved from this long before a booking starts',
    }),
    overtimeGraceMinutes: Type.Integer({
      minimum: 0,
      maximum: 240,
      default: 10,
      description: 'A party checked in past its end is billed overtime once it is this many minutes late',
    }),
    billingUnitMinutes: Type.Integer({
      minimum: 1,
      maximum: 120,
      default: 15,
      description: 'Overtime and open timing are billed by each started unit of this many minutes',
    }),
    waiterAdjustmentLimit: Type.Integer({
      minimum: 0,
      maximum: 100_000_000,
      default: 0,
      description: 'Fen waiters may take off one bill in corrections without a manager (0: every correction needs one)',
    }),
    venueName: Type.String({ minLength: 1, maxLength: 60, default: 'KTV', description: 'The name printed on receipts' }),
    bottleStorageDays: Type.Integer({ minimum: 1, maximum: 365, default: 30, description: 'Days a member’s stored bottle (存酒) is kept' }),
  },
  { additionalProperties: false, $id: 'VenueSettings' },
);

export type VenueSettingsBody = Static<typeof VenueSettingsSchema>;
