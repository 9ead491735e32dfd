import type { Upcaster } from './event.js';

/**
 * Every schema change of a stored event, oldest first. An entry lifts an event
 * from `fromVersion` to the next; src/eventstore/upcast.ts chains them on read.
 */
export const upcasters: readonly Upcaster[] = [];
