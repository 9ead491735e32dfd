import { DEFAULT_VENUE } from '../../../domain/venue/settings.js';

const bands = [
  { id: 'late_night', name: 'Late night 00–06', fromMinute: 0, toMinute: 360 },
  { id: 'morning', name: 'Morning 06–12', fromMinute: 360, toMinute: 720 },
  { id: 'afternoon', name: 'Afternoon 12–18', fromMinute: 720, toMinute: 1080 },
  { id: 'prime', name: 'Prime 18–24', fromMinute: 1080, toMinute: 1440 },
];

/** Weekday hourly rates for a small room, in fen; larger rooms scale from these. */
const small = { late_night: 4800, morning: 3800, afternoon: 5800, prime: 9800 };
const scale = { small: 1, medium: 1.5, large: 2.2, deluxe: 3.5, party: 6 } as const;

const rates = (factor: number, weekend: boolean) =>
  Object.fromEntries(Object.entries(small).map(([band, fen]) => [band, Math.round((fen * factor * (weekend ? 1.3 : 1)) / 100) * 100]));

/** The demo venue's rate card: four bands, weekend +30 %, afternoon packages, minimum spends, member discounts. */
export const demoRateCard = {
  currency: 'CNY' as const,
  bands,
  hourly: Object.fromEntries(Object.entries(scale).map(([type, f]) => [type, { weekday: rates(f, false), weekend: rates(f, true) }])),
  packages: [
    {
      id: 'small-afternoon-3h',
      name: 'Afternoon 3 hours (small)',
      roomTypeId: 'small',
      bandId: 'afternoon',
      dayKind: 'weekday' as const,
      minutes: 180,
      price: 12800,
    },
    {
      id: 'medium-afternoon-3h',
      name: 'Afternoon 3 hours (medium)',
      roomTypeId: 'medium',
      bandId: 'afternoon',
      dayKind: 'weekday' as const,
      minutes: 180,
      price: 19800,
    },
    {
      id: 'large-afternoon-3h',
      name: 'Afternoon 3 hours (large)',
      roomTypeId: 'large',
      bandId: 'afternoon',
      dayKind: 'any' as const,
      minutes: 180,
      price: 32800,
    },
  ],
  minimumSpend: { small: 0, medium: 0, large: 30000, deluxe: 80000, party: 200000 },
  memberDiscountPercent: { regular: 0, silver: 5, gold: 10, black: 15 },
  deposit: { percent: 30, minimum: 5000 },
};

/** The demo venue: open around the clock, business day from 06:00, Asia/Shanghai. */
export const demoVenue = { ...DEFAULT_VENUE, holidays: ['2026-12-25', '2027-01-01'], venueName: '星光 KTV' };
