import type { DomainEvent } from './event.js';

/**
 * Events of `bottle-<id>` streams: 存酒, a member's unfinished bottle kept at the venue until
 * they take it out or it expires (the expiry is derived from `expiresAt` and the clock; nothing
 * records it). A stored bottle was sold already: it moves no stock.
 */
export type BottleEvent =
  | DomainEvent<
      'BottleStored',
      Readonly<{
        bottleId: string;
        memberId: string;
        productId: string;
        productName: string;
        /** What is left, as staff judged it (e.g. "half", "3 of 6 cans"). */
        remaining: string;
        note: string | null;
        /** The stay it was left from, when known. */
        bookingId: string | null;
        storedBy: string;
        expiresAt: string;
        at: string;
      }>
    >
  | DomainEvent<'BottleWithdrawn', Readonly<{ bottleId: string; memberId: string; bookingId: string | null; by: string; at: string }>>;

export const bottleStream = (bottleId: string) => `bottle-${bottleId}`;
