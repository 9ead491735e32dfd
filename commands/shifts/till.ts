import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import { handle } from '../../src/eventstore/decide.js';
import { tillStream } from '../../src/events/shifts.js';
import { tillDecider, type TillCommand } from './decider.js';

export type DeskMovement = Omit<Extract<TillCommand, { type: 'Record' }>, 'type' | 'staffId' | 'now'>;

/**
 * Records money a staff member handled at the desk in their till: it belongs to their open shift,
 * or, with none open, is recorded outside any shift (never refused: the guest has paid, and the
 * daily close lists such money for the manager). `staffId` null means nobody at the desk handled it
 * (a guest paying online, a provider's callback), and nothing is recorded.
 */
export async function recordAtDesk(
  store: EventStore,
  staffId: string | null,
  movement: DeskMovement,
  metadata: EventMetadata,
  now: Date,
): Promise<void> {
  if (!staffId || movement.amount <= 0) return;
  await handle(store, tillStream(staffId), tillDecider, { type: 'Record', staffId, ...movement, now }, metadata);
}
