import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

/** What a queued request came to: its hold, or the problem the synchronous answer would have been. */
export type AdmissionOutcome =
  Readonly<{ status: 'held'; bookingId: string }> | Readonly<{ status: 'refused'; problem: Readonly<Record<string, unknown>> }>;

/**
 * A request waiting for admission. `id` is also the idempotency key of what the
 * worker does with it, so running it twice decides once; `group` orders
 * requests first come first served (a room-day); `owner` may read its state.
 */
export type AdmissionRequest = Readonly<{ id: string; owner: string; group: string; payload: unknown; enqueuedAt: number }>;

export type AdmissionState = Readonly<{ id: string; owner: string }> &
  (Readonly<{ status: 'queued'; position: number }> | AdmissionOutcome);

/** Decides one request; throws only for failures worth a retry (a lost connection), never for a refusal. */
export type AdmissionWorker = (request: AdmissionRequest) => Promise<AdmissionOutcome>;

/**
 * The queue in front of a command on busy nights: an admission device, not a
 * second way to decide. BullMQ on Redis (requests survive a crash and any
 * instance's worker takes them), or in this process when Redis is not
 * configured (requests queued when the process stops are lost with it).
 */
export interface AdmissionQueue {
  /** Queues a request; an id already queued keeps its place. The answer is its position (1: next). */
  enqueue(request: AdmissionRequest): Promise<number>;
  state(id: string): Promise<AdmissionState | null>;
  /** Requests queued or being decided. */
  depth(): Promise<number>;
  start(worker: AdmissionWorker): Promise<void>;
  close(): Promise<void>;
}

/** Told how long each request waited before a worker took it. */
export type WaitObserver = (seconds: number) => void;

/** The answer for a request the worker could not decide after its retries. */
export const UNDECIDED: AdmissionOutcome = {
  status: 'refused',
  problem: {
    type: 'https://ktv.example/problems/unavailable',
    title: 'Service Unavailable',
    status: 503,
    code: 'unavailable',
    detail: 'The request could not be decided; send it again.',
  },
};

/** One turn at a time per group, in the order the turns were asked for. */
class GroupTurns {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(group: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(group) ?? Promise.resolve();
    const mine = previous.then(fn, fn);
    const tail = mine.catch(() => undefined);
    this.tails.set(group, tail);
    void tail.then(() => {
      if (this.tails.get(group) === tail) this.tails.delete(group);
    });
    return mine;
  }
}

/** How many decided requests the in-process queue remembers for their clients. */
const REMEMBERED = 100_000;

export class InProcessAdmissionQueue implements AdmissionQueue {
  private readonly waiting: AdmissionRequest[] = [];
  private readonly records = new Map<string, { request: AdmissionRequest; seq: number; outcome: AdmissionOutcome | null }>();
  private readonly turns = new GroupTurns();
  private readonly running = new Set<Promise<void>>();
  private worker: AdmissionWorker | null = null;
  private active = 0;
  private enqueued = 0;
  private decided = 0;

  constructor(
    private readonly concurrency: number,
    private readonly observeWait: WaitObserver,
    private readonly logger: Logger,
  ) {}

  async enqueue(request: AdmissionRequest): Promise<number> {
    const known = this.records.get(request.id);
    if (known) return this.positionOf(known.seq);
    const seq = ++this.enqueued;
    this.records.set(request.id, { request, seq, outcome: null });
    if (this.records.size > REMEMBERED) this.forgetOldestDecided();
    this.waiting.push(request);
    this.pump();
    return this.positionOf(seq);
  }

  async state(id: string): Promise<AdmissionState | null> {
    const r = this.records.get(id);
    if (!r) return null;
    const who = { id, owner: r.request.owner };
    return r.outcome ? { ...who, ...r.outcome } : { ...who, status: 'queued', position: this.positionOf(r.seq) };
  }

  async depth(): Promise<number> {
    return this.waiting.length + this.active;
  }

  async start(worker: AdmissionWorker): Promise<void> {
    this.worker = worker;
    this.pump();
  }

  async close(): Promise<void> {
    this.worker = null;
    await Promise.all(this.running);
  }

  private positionOf(seq: number): number {
    return Math.max(1, seq - this.decided);
  }

  private pump(): void {
    while (this.worker && this.active < this.concurrency && this.waiting.length > 0) {
      const request = this.waiting.shift()!;
      const worker = this.worker;
      this.active++;
      const p = this.turns
        .run(request.group, () => this.decide(worker, request))
        .finally(() => {
          this.active--;
          this.running.delete(p);
          this.pump();
        });
      this.running.add(p);
    }
  }

  private async decide(worker: AdmissionWorker, request: AdmissionRequest): Promise<void> {
    this.observeWait((Date.now() - request.enqueuedAt) / 1000);
    let outcome = UNDECIDED;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        outcome = await worker(request);
        break;
      } catch (err) {
        this.logger.warn({ err, request: request.id, attempt }, 'queued hold failed; retrying');
      }
    }
    const record = this.records.get(request.id);
    if (record) record.outcome = outcome;
    this.decided++;
  }

  private forgetOldestDecided(): void {
    for (const [id, r] of this.records) {
      if (r.outcome) {
        this.records.delete(id);
        return;
      }
    }
  }
}

type JobData = AdmissionRequest & Readonly<{ seq: number }>;

/** A request waiting this long may drop a place ahead of it whose request never reached the queue. */
const LOST_HEAD_MS = 1000;

/**
 * First come, first served per group across every worker of every instance: each group keeps a
 * Redis sorted set of its undecided requests by arrival (`seq`), and a worker decides a request
 * only when it is the first one left; one that is not goes back to the queue for a few
 * milliseconds (more the further back it is), so no worker slot waits on another request and a
 * dead worker's request is free to be taken again. It leaves the set once decided (or finally
 * failed); a crash in between makes BullMQ run the request again, which decides nothing twice. A
 * place whose job already finished, or never reached the queue (an enqueue that died between its
 * two steps), is dropped by whoever waits behind it.
 */
export class BullMqAdmissionQueue implements AdmissionQueue {
  private readonly queue: Queue<JobData, AdmissionOutcome>;
  private worker: Worker<JobData, AdmissionOutcome> | null = null;

  constructor(
    private readonly connection: RedisOptions,
    private readonly redis: Redis,
    private readonly concurrency: number,
    private readonly observeWait: WaitObserver,
    private readonly logger: Logger,
    private readonly name = 'ktv-booking-requests',
    private readonly prefix = 'bull',
  ) {
    this.queue = new Queue(name, { connection, prefix });
  }

  async enqueue(request: AdmissionRequest): Promise<number> {
    const seq = await this.redis.incr(`${this.name}:enqueued`);
    // Its place in its group's line; a request already in line keeps its first place.
    await this.redis.zadd(this.lineOf(request.group), 'NX', seq, request.id);
    // A job id already in the queue is not added again: the first request keeps its place.
    const job = await this.queue.add(
      'hold',
      { ...request, seq },
      {
        jobId: request.id,
        attempts: 3,
        backoff: { type: 'fixed', delay: 500 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 86_400 },
      },
    );
    return this.positionOf(job.data.seq);
  }

  async state(id: string): Promise<AdmissionState | null> {
    const job = await this.queue.getJob(id);
    if (!job) return null;
    const who = { id, owner: job.data.owner };
    const state = await job.getState();
    if (state === 'completed') return { ...who, ...job.returnvalue };
    if (state === 'failed') return { ...who, ...UNDECIDED };
    return { ...who, status: 'queued', position: await this.positionOf(job.data.seq) };
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async start(worker: AdmissionWorker): Promise<void> {
    this.worker = new Worker<JobData, AdmissionOutcome>(
      this.name,
      async (job, token) => {
        // Not first in its line: back to the queue for a moment, so no worker slot waits on another request.
        if (!(await this.isFirst(job.data.group, job.data.id, job.timestamp))) return this.later(job, token);
        if (job.attemptsMade === 0) this.observeWait((Date.now() - job.data.enqueuedAt) / 1000);
        const outcome = await worker(job.data);
        await this.redis.multi().zrem(this.lineOf(job.data.group), job.data.id).incr(`${this.name}:decided`).exec();
        return outcome;
      },
      {
        // Workers block on Redis; BullMQ requires unlimited retries on their connection.
        connection: { ...this.connection, maxRetriesPerRequest: null },
        prefix: this.prefix,
        concurrency: this.concurrency,
        // A worker that dies mid-request loses its lock within seconds; another worker then runs the request again.
        lockDuration: 10_000,
        stalledInterval: 5_000,
      },
    );
    this.worker.on('failed', (job, err) => {
      this.logger.warn({ err, request: job?.id }, 'queued hold failed');
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
        void this.redis
          .multi()
          .zrem(this.lineOf(job.data.group), job.data.id)
          .incr(`${this.name}:decided`)
          .exec()
          .catch(() => undefined);
    });
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  private lineOf(group: string): string {
    return `${this.name}:line:${group}`;
  }

  /** Whether no request that came before this one in its group is left undecided (dropping a lost one ahead). */
  private async isFirst(group: string, id: string, queuedAt: number): Promise<boolean> {
    const line = this.lineOf(group);
    for (;;) {
      const [head] = await this.redis.zrange(line, 0, 0);
      // Not in line (queued before lines existed, or already dropped): nothing to wait for.
      if (head === undefined || head === id || (await this.redis.zscore(line, id)) === null) return true;
      const ahead = await this.queue.getJob(head);
      const state = ahead ? await ahead.getState() : 'unknown';
      // Finished (its leaving the line was lost), or never queued: its enqueue had time enough, since this one came later.
      const lost = state === 'completed' || state === 'failed' || (state === 'unknown' && Date.now() - queuedAt > LOST_HEAD_MS);
      if (!lost) return false;
      await this.redis.zrem(line, head);
    }
  }

  /** Puts a request back for longer the further back in its line it is. */
  private async later(job: Job<JobData, AdmissionOutcome>, token: string | undefined): Promise<never> {
    const rank = (await this.redis.zrank(this.lineOf(job.data.group), job.data.id)) ?? 1;
    await job.moveToDelayed(Date.now() + Math.min(250, 5 * rank), token);
    throw new DelayedError();
  }

  private async positionOf(seq: number): Promise<number> {
    const decided = Number((await this.redis.get(`${this.name}:decided`)) ?? 0);
    return Math.max(1, seq - decided);
  }
}
