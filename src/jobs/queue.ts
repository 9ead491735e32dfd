import { Queue, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export type JobHandler = (id: string) => Promise<void>;

/**
 * Delayed jobs keyed by a stable id (scheduling the same job twice is one job).
 * Handlers must be idempotent: a job may run late, twice, or after a restart.
 * BullMQ when Redis is configured (one worker takes each job), else timers in
 * this process; either way a periodic sweep re-derives overdue work from state,
 * so a crash never loses a job for long.
 */
export interface JobQueue {
  schedule(kind: string, id: string, runAt: Date): Promise<void>;
  /** Starts running jobs with these handlers, and each sweep now and every `sweepMs`. */
  start(handlers: Readonly<Record<string, JobHandler>>, sweeps: readonly (() => Promise<void>)[], sweepMs: number): Promise<void>;
  close(): Promise<void>;
}

abstract class Sweeping {
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();
  constructor(protected readonly logger: Logger) {}

  protected startSweeps(sweeps: readonly (() => Promise<void>)[], sweepMs: number): void {
    const run = () => {
      this.sweeping = (async () => {
        for (const sweep of sweeps) await sweep().catch((err: unknown) => this.logger.error({ err }, 'sweep failed'));
      })();
    };
    run();
    this.sweepTimer = setInterval(run, sweepMs);
    this.sweepTimer.unref();
  }

  protected async stopSweeps(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.sweeping;
  }
}

export class InProcessJobQueue extends Sweeping implements JobQueue {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private handlers: Readonly<Record<string, JobHandler>> = {};
  private readonly running = new Set<Promise<void>>();

  async schedule(kind: string, id: string, runAt: Date): Promise<void> {
    const key = `${kind}:${id}`;
    clearTimeout(this.timers.get(key));
    // Timers past ~24 days overflow; the sweep covers anything that far out.
    const delay = Math.min(Math.max(0, runAt.getTime() - Date.now()), 2_000_000_000);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      const handler = this.handlers[kind];
      if (!handler) return;
      const p = handler(id).catch((err: unknown) => this.logger.error({ err, kind, id }, 'job failed; the sweep will retry'));
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    }, delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  async start(handlers: Readonly<Record<string, JobHandler>>, sweeps: readonly (() => Promise<void>)[], sweepMs: number): Promise<void> {
    this.handlers = handlers;
    this.startSweeps(sweeps, sweepMs);
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.stopSweeps();
    await Promise.all(this.running);
  }
}

export class BullMqJobQueue extends Sweeping implements JobQueue {
  private readonly queue: Queue;
  private worker: Worker | null = null;

  constructor(
    private readonly connection: RedisOptions,
    logger: Logger,
    private readonly name = 'ktv-jobs',
    private readonly prefix = 'bull',
  ) {
    super(logger);
    this.queue = new Queue(name, { connection, prefix });
  }

  async schedule(kind: string, id: string, runAt: Date): Promise<void> {
    await this.queue.add(
      kind,
      { id },
      {
        jobId: `${kind}-${id}`,
        delay: Math.max(0, runAt.getTime() - Date.now()),
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    );
  }

  async start(handlers: Readonly<Record<string, JobHandler>>, sweeps: readonly (() => Promise<void>)[], sweepMs: number): Promise<void> {
    this.worker = new Worker(
      this.name,
      async (job) => {
        const handler = handlers[job.name];
        if (handler) await handler((job.data as { id: string }).id);
      },
      // Workers block on Redis; BullMQ requires unlimited retries on their connection.
      { connection: { ...this.connection, maxRetriesPerRequest: null }, concurrency: 4, prefix: this.prefix },
    );
    this.worker.on('failed', (job, err) => this.logger.warn({ err, job: job?.id }, 'job failed'));
    this.startSweeps(sweeps, sweepMs);
  }

  async close(): Promise<void> {
    await this.stopSweeps();
    await this.worker?.close();
    await this.queue.close();
  }
}
