import { AsyncLocalStorage } from 'node:async_hooks';
import type { Checkpoint } from './port.js';

/**
 * Where in the global feed the events appended during one unit of work (an HTTP
 * request) landed, so its answer can tell the caller which position a read must
 * wait for. Kept in async-local storage so that no command handler has to pass
 * it along: the event store notes every append, whoever made it.
 */
export class AppendedPositions {
  private lastPosition: Checkpoint | null = null;

  note(position: Checkpoint): void {
    // Appends within one unit of work run one after another, so the latest is the furthest.
    this.lastPosition = position;
  }

  get last(): Checkpoint | null {
    return this.lastPosition;
  }
}

const current = new AsyncLocalStorage<AppendedPositions>();

/** Runs `fn` (and everything it starts) with `positions` noting the appends it makes. */
export function trackAppends(positions: AppendedPositions, fn: () => void): void {
  current.run(positions, fn);
}

/** Called by the event store after each successful append; a no-op outside a tracked unit of work. */
export function noteAppended(position: Checkpoint): void {
  current.getStore()?.note(position);
}

/**
 * Both adapters write positions as two unsigned integers `a:b` ordered as a pair
 * (PostgreSQL: transaction id, global position; EventStoreDB: commit, prepare),
 * so one order serves both.
 */
const POSITION = /^(\d{1,20}):(\d{1,20})$/;

/** True when a projection checkpoint has reached `position`, i.e. has applied the event there. */
export function reached(checkpoint: Checkpoint, position: Checkpoint): boolean {
  const a = POSITION.exec(checkpoint);
  const b = POSITION.exec(position);
  if (!a || !b) return false;
  const [ca, cb, pa, pb] = [BigInt(a[1]!), BigInt(a[2]!), BigInt(b[1]!), BigInt(b[2]!)];
  return ca > pa || (ca === pa && cb >= pb);
}
