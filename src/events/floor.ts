import type { DomainEvent } from './event.js';

/**
 * Events of `floorclock-<minute>` streams: the clock reached a minute at which
 * the room board changes by time alone (a reserved window opening, overtime
 * beginning, a hold running out). Nothing is decided by it; it puts the
 * moment into the event feed, so the board's change that follows has a feed
 * position like any other. One stream per minute keeps it recorded once
 * however many instances notice.
 */
export type FloorClockEvent = DomainEvent<'FloorClockTicked', Readonly<{ at: string }>>;

export const floorClockStream = (at: Date) => `floorclock-${at.toISOString()}`;
