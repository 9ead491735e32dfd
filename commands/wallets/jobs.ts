import { sql, type QueryExecutorProvider } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import type { Logger } from '../../src/logger.js';
import { handle } from '../../src/eventstore/decide.js';
import { walletStream } from '../../src/events/wallets.js';
import type { JobHandler } from '../../src/jobs/queue.js';
import { walletDecider } from './decider.js';

type WalletJobContext = Readonly<{ store: EventStore; clock: Clock; logger: Logger; db: QueryExecutorProvider }>;

/**
 * Bonus past its expiry stops counting at once (the wallet decides on the clock), but the ledger
 * only hears of it from an event: this sweep records the lapse for members who have not used
 * their wallet since, so the bonus liability leaves the books on time. The read model only says
 * whom to look at; the wallet's own stream decides what lapses.
 */
async function lapseBonuses(ctx: WalletJobContext): Promise<void> {
  const { rows } = await sql<{ user_id: string }>`
    SELECT DISTINCT user_id FROM rm.stored_value_lots WHERE bonus_left > 0 AND expires_at <= ${ctx.clock()} LIMIT 200`.execute(ctx.db);
  for (const r of rows)
    await handle(
      ctx.store,
      walletStream(r.user_id),
      walletDecider,
      { type: 'ExpireBonus', userId: r.user_id, now: ctx.clock() },
      { actor: 'system' },
    ).catch((err: unknown) => ctx.logger.warn({ err, userId: r.user_id }, 'recording lapsed bonus failed'));
}

export const walletJobs = (ctx: WalletJobContext) => ({ handlers: {} as Record<string, JobHandler>, sweeps: [() => lapseBonuses(ctx)] });
