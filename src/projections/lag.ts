import type { PlatformDatabase } from '../db/schema.js';
import type { Kysely } from 'kysely';
import type { Checkpoint, EventStore } from '../eventstore/port.js';
import { reached } from '../eventstore/positions.js';
import { listGenerations, type GenerationStatus } from './registry.js';

export type Lag = Readonly<{
  name: string;
  generation: number;
  version: number;
  status: GenerationStatus;
  applied: number;
  eventsBehind: number;
  msBehind: number;
}>;

const CAP = 1_000_000;

/**
 * How far each build trails the feed, read from the registry and the store, so
 * an API process can report it while the projector runs elsewhere. The events
 * count stops at a million; the time is the age of the oldest unapplied event.
 */
export async function projectionLag(db: Kysely<PlatformDatabase>, store: EventStore): Promise<Lag[]> {
  const generations = await listGenerations(db);
  return Promise.all(
    generations.map(async (g) => {
      const eventsBehind = await store.countAfter(g.checkpoint, CAP);
      let msBehind = 0;
      if (eventsBehind > 0) {
        const next = await store.readAll({ from: g.checkpoint, limit: 1 });
        const first = next.events[0];
        msBehind = first ? Math.max(0, Date.now() - first.createdAt.getTime()) : 0;
      }
      return { name: g.name, generation: g.generation, version: g.version, status: g.status, applied: g.applied, eventsBehind, msBehind };
    }),
  );
}

/**
 * Waits (up to `timeoutMs`) while the serving build of `name` still has events
 * to apply: a read that missed may be a write its caller has just made.
 */
export async function waitForProjection(db: Kysely<PlatformDatabase>, store: EventStore, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const serving = (await listGenerations(db, name)).find((g) => g.status === 'active');
    if (!serving || (await store.countAfter(serving.checkpoint, 1)) === 0 || Date.now() >= deadline) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Waits (up to `timeoutMs`) until the serving build of `name` has applied the
 * event at `position`, the `Event-Position` a command answered with. True once
 * it has; false on the deadline, or when no build of `name` serves.
 */
export async function waitForPosition(
  db: Kysely<PlatformDatabase>,
  name: string,
  position: Checkpoint,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let pause = 5;
  for (;;) {
    const serving = (await listGenerations(db, name)).find((g) => g.status === 'active');
    if (serving && reached(serving.checkpoint, position)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pause));
    // Soon at first (the projector is usually a batch away), then less often, so waiting readers do not load the database.
    pause = Math.min(pause * 2, 50);
  }
}
