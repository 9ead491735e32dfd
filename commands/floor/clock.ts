import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { MINUTE_MS, startOfMinute, type Clock } from '../../src/clock.js';
import { WrongExpectedVersionError, type EventStore } from '../../src/eventstore/port.js';
import { floorClockStream, type FloorClockEvent } from '../../src/events/floor.js';

export type FloorClockContext = Readonly<{
  store: EventStore;
  clock: Clock;
  /** Whether the board changes by time alone at or before `at` (read from the board's read model). */
  due: (at: Date) => Promise<boolean>;
}>;

/**
 * Records `FloorClockTicked` for the minute `at` falls in when the board is due
 * to change by then. Every instance may try; the minute's stream takes one.
 * Returns whether this call recorded it.
 */
export async function tickFloorClock(ctx: FloorClockContext, at: Date): Promise<boolean> {
  const minute = startOfMinute(at);
  if (!(await ctx.due(minute))) return false;
  const event: FloorClockEvent = { type: 'FloorClockTicked', data: { at: minute.toISOString() } };
  try {
    await ctx.store.appendToStream(floorClockStream(minute), [{ id: randomUUID(), ...event }], 'no_stream');
    return true;
  } catch (err) {
    if (err instanceof WrongExpectedVersionError) return false; // another instance recorded this minute
    throw err;
  }
}

/**
 * Ticks at the start of every minute on each instance (a timer aligned to the
 * minute, so no instance depends on another or on a queue), from when the app
 * is ready until it closes.
 */
export const floorClock: FastifyPluginAsync<FloorClockContext> = async (app, ctx) => {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = () => {
    if (closed) return;
    const wait = MINUTE_MS - (Date.now() % MINUTE_MS);
    timer = setTimeout(() => {
      tickFloorClock(ctx, ctx.clock())
        .catch((err: unknown) => app.log.warn({ err }, 'floor clock tick failed; the next minute tries again'))
        .finally(schedule);
    }, wait);
    timer.unref();
  };
  app.addHook('onReady', async () => schedule());
  app.addHook('onClose', async () => {
    closed = true;
    clearTimeout(timer);
  });
};
