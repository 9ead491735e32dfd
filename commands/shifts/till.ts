import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import { handle, handleAll, step, type Step } from '../../src/eventstore/decide.js';
import { tillStream } from '../../src/events/shifts.js';
import { tillDecider, type TillCommand } from './decider.js';

export type DeskMovement = Omit<Extract<TillCommand, { type: 'Record' }>, 'type' | 'staffId' | 'now'>;

const record = (staffId: string, movement: DeskMovement, now: Date) => ({ type: 'Record', staffId, ...movement, now }) as const;

/**
 * Moves money at the desk: `money` is the step that takes or gives it back (a payment's success, a
 * refund paid out, a top-up), and `movement` is recorded in the till of `desk`, the staff member
 * who handled it. It belongs to their open shift or, with none open, is recorded outside any shift
 * (never refused: the guest has paid, and the daily close lists such money for the manager). `desk`
 * null means nobody at the desk handled it (a guest paying online, a provider's callback), and
 * nothing is recorded. Where the store appends to several streams atomically (PostgreSQL) the money
 * and its till record are one commit; elsewhere the till record follows, and a crash between the two
 * is repaired by the sweep in commands/payments/till-repair.ts, which finds the money by the staff
 * member its event names (so the `money` command must name `desk` too).
 */
export async function moveMoneyAtDesk(
  store: EventStore,
  money: Step,
  desk: string | null,
  movement: DeskMovement,
  metadata: EventMetadata,
  now: Date,
): Promise<void> {
  const staffId = desk && movement.amount > 0 ? desk : null;
  if (staffId && store.atomicMultiStream)
    return handleAll(store, [money, step(tillStream(staffId), tillDecider, record(staffId, movement, now))], metadata);
  await handle(store, money.streamId, money.decider, money.command, metadata, money.isNew ? 'new' : undefined);
  if (staffId) await recordAtDesk(store, staffId, movement, metadata, now);
}

/** Records a movement in a staff member's till; the till keys movements by id, so recording one again changes nothing. */
export async function recordAtDesk(store: EventStore, staffId: string, movement: DeskMovement, metadata: EventMetadata, now: Date) {
  await handle(store, tillStream(staffId), tillDecider, record(staffId, movement, now), metadata);
}
