import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { PlatformDatabase } from '../../src/db/schema.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { START } from '../../src/eventstore/port.js';
import type { Projection } from '../../src/projections/projection.js';

/**
 * Replays a ledger projection from the first event into a scratch schema of its
 * own, hands that schema to `use`, and drops it. What an accountant gets from a replay is therefore built from events
 * alone, independent of the serving ledger.
 */
export async function withReplayedLedger<T>(
  db: Kysely<PlatformDatabase>,
  store: EventStore,
  ledger: Projection,
  use: (schema: string) => Promise<T>,
  /** Called after each batch with the events applied so far and the share of the feed read (by global position, so approximate). */
  onProgress: (applied: number, share: number) => Promise<void> | void = () => {},
): Promise<T> {
  const schema = `replay_${ledger.name}_${randomBytes(4).toString('hex')}`;
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(db);
  try {
    await ledger.setup(db.withSchema(schema), schema);
    const head = Number((await store.head()).globalPosition);
    for (let at = START, applied = 0; ;) {
      const batch = await store.readAll({ from: at, limit: 5000, types: ledger.eventTypes });
      if (batch.next === at) break;
      if (batch.events.length > 0) await db.transaction().execute((trx) => ledger.apply(trx.withSchema(schema), batch.events));
      at = batch.next;
      applied += batch.events.length;
      const last = batch.events.at(-1);
      if (last && head > 0) await onProgress(applied, Math.min(0.99, Number(last.globalPosition) / head));
    }
    return await use(schema);
  } finally {
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(db);
  }
}
