import type { Kysely } from 'kysely';
import type { PlatformDatabase } from '../db/schema.js';
import type { JobHandler, JobQueue } from '../jobs/queue.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

export const WEBHOOK_JOB = 'webhook';
/** Attempts before a delivery is given up (`failed`; an admin can still redeliver it). */
export const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;
/** While one worker sends, the delivery is not due for others. */
const LEASE_MS = 60_000;

/** 30 s after the first failure, doubling, at most 6 h: eight attempts span about two hours. */
export const retryDelayMs = (attempts: number) => Math.min(30_000 * 2 ** (attempts - 1), 6 * 3600_000);

export type WebhookContext = Readonly<{ db: Kysely<PlatformDatabase>; jobs: JobQueue; clock: Clock; logger: Logger }>;

/**
 * Sends one delivery if it is due, and records the answer: a 2xx is delivered; anything else (or
 * no answer) is retried with backoff until MAX_ATTEMPTS. Safe to run twice: the claim moves the
 * delivery's next attempt past the lease, so a second worker finds it not due.
 */
export async function deliver(ctx: WebhookContext, id: string): Promise<void> {
  const now = ctx.clock();
  const claimed = await ctx.db
    .updateTable('webhook_deliveries as d')
    .from('webhook_subscriptions as s')
    .set({ next_attempt_at: new Date(now.getTime() + LEASE_MS) })
    .whereRef('s.id', '=', 'd.subscription_id')
    .where('d.id', '=', id)
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .returning(['d.payload', 'd.attempts', 's.url', 's.secret', 'd.event_type'])
    .executeTakeFirst();
  if (!claimed) return;
  const body = JSON.stringify({ id, ...(claimed.payload as object) });
  const timestamp = Math.floor(now.getTime() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(claimed.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ktv-webhooks/1',
        'ktv-webhook-id': id,
        'ktv-event-type': claimed.event_type,
        [SIGNATURE_HEADER]: signatureHeader(claimed.secret, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = res.status;
    await res.body?.cancel();
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const attempts = claimed.attempts + 1;
  const ok = status !== null && status >= 200 && status < 300;
  if (!ok) error ??= `HTTP ${status}`;
  const given = !ok && attempts >= MAX_ATTEMPTS;
  const next = new Date(now.getTime() + (ok || given ? 0 : retryDelayMs(attempts)));
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({
      status: ok ? 'delivered' : given ? 'failed' : 'pending',
      attempts,
      last_status: status,
      last_error: ok ? null : error,
      delivered_at: ok ? now : null,
      next_attempt_at: next,
    })
    .where('id', '=', id)
    .execute();
  if (!ok) ctx.logger.warn({ delivery: id, attempts, status, error, given }, 'webhook delivery failed');
  if (!ok && !given) await ctx.jobs.schedule(WEBHOOK_JOB, id, next);
}

/**
 * Schedules every pending delivery due before the next sweep: the projector queues deliveries in
 * the database (it has no job queue), and a retry whose job was lost is picked up here too.
 */
export async function scheduleDue(ctx: WebhookContext, withinMs: number): Promise<number> {
  const due = await ctx.db
    .selectFrom('webhook_deliveries')
    .select(['id', 'next_attempt_at'])
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', new Date(ctx.clock().getTime() + withinMs))
    .orderBy('next_attempt_at')
    .limit(1000)
    .execute();
  for (const d of due) await ctx.jobs.schedule(WEBHOOK_JOB, d.id, d.next_attempt_at);
  return due.length;
}

/** Puts a delivery back in the queue now, whatever became of it (an admin's manual redelivery). */
export async function redeliver(ctx: WebhookContext, id: string): Promise<boolean> {
  const now = ctx.clock();
  const row = await ctx.db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (row) await ctx.jobs.schedule(WEBHOOK_JOB, id, now);
  return Boolean(row);
}

/** How far ahead each sweep schedules: past the job queue's sweep interval, so nothing due waits a whole interval. */
const SCHEDULE_AHEAD_MS = 60_000;

export function webhookJobs(ctx: WebhookContext): { handlers: Record<string, JobHandler>; sweeps: (() => Promise<void>)[] } {
  return {
    handlers: { [WEBHOOK_JOB]: (id) => deliver(ctx, id) },
    sweeps: [() => scheduleDue(ctx, SCHEDULE_AHEAD_MS).then(() => undefined)],
  };
}
