import type { ByMethod } from '../../src/events/shifts.js';

/** Cash a drawer should hold: the float, plus cash taken (payments and top-ups), less cash paid back. */
export const expectedCash = (openingCash: number, taken: ByMethod, refunds: ByMethod) => openingCash + taken.cash - refunds.cash;
