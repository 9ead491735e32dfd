import { sql, type QueryExecutorProvider } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import type { Logger } from '../../src/logger.js';
import { load } from '../../src/eventstore/decide.js';
import { paymentStream } from '../../src/events/payments.js';
import { walletStream } from '../../src/events/wallets.js';
import { DESK_METHODS, type DeskMethod, type DeskMovementKind } from '../../src/events/shifts.js';
import type { JobHandler } from '../../src/jobs/queue.js';
import { paymentDecider } from './decider.js';
import { walletDecider } from '../wallets/decider.js';
import { recordAtDesk, type DeskMovement } from '../shifts/till.js';

type TillRepairContext = Readonly<{ store: EventStore; clock: Clock; logger: Logger; db: QueryExecutorProvider }>;
type Unrecorded = Readonly<{ movement_id: string; staff_id: string; kind: DeskMovementKind; source_id: string }>;

const isDeskMethod = (method: string): method is DeskMethod => DESK_METHODS.includes(method as DeskMethod);

/** The movement as the stream that moved the money records it; null when that stream does not show it done. */
async function movementOf(store: EventStore, u: Unrecorded): Promise<DeskMovement | null> {
  if (u.kind === 'top_up') {
    const { state } = await load(store, walletStream(u.source_id), walletDecider);
    const topUp = state.topUps.get(u.movement_id);
    if (!topUp) return null;
    return { movementId: u.movement_id, kind: 'top_up', method: topUp.method, amount: topUp.paid, bookingId: null, memberId: u.source_id };
  }
  const { state: p } = await load(store, paymentStream(u.source_id), paymentDecider);
  if (p.status !== 'succeeded' || !isDeskMethod(p.method)) return null;
  const base = { method: p.method, bookingId: p.bookingId, memberId: p.method === 'stored_value' ? p.providerOrderId : null };
  if (u.kind === 'payment') return { ...base, movementId: p.id, kind: 'payment', amount: p.paid };
  const refund = p.refunds.get(u.movement_id);
  return refund?.status === 'succeeded' ? { ...base, movementId: refund.refundId, kind: 'refund', amount: refund.amount } : null;
}

/**
 * Desk money whose till record a crash kept from being written (the money was appended, its till
 * record was to follow: stores without atomic multi-stream appends) is recorded in the till of the
 * staff member who handled it, in the shift they have open now. The read model only says what to
 * look at; the money's own stream says what moved, and the till ignores a movement it already has,
 * so a sweep racing the request that is still writing its record, or running twice, records it once.
 */
async function recordUnrecorded(ctx: TillRepairContext): Promise<void> {
  const { rows } = await sql<Unrecorded>`
    SELECT movement_id, staff_id, kind, source_id FROM rm.desk_unrecorded ORDER BY at LIMIT 200`.execute(ctx.db);
  for (const u of rows) {
    try {
      const movement = await movementOf(ctx.store, u);
      if (!movement) {
        ctx.logger.warn({ movementId: u.movement_id }, 'desk money not found where its event says; left for reconciliation');
        continue;
      }
      await recordAtDesk(ctx.store, u.staff_id, movement, { actor: 'system', causationId: `till-repair:${u.movement_id}` }, ctx.clock());
    } catch (err) {
      ctx.logger.warn({ err, movementId: u.movement_id }, 'recording desk money in its till failed');
    }
  }
}

export const tillRepairJobs = (ctx: TillRepairContext) => ({
  handlers: {} as Record<string, JobHandler>,
  sweeps: [() => recordUnrecorded(ctx)],
});
