import type { PlatformDatabase } from '../db/schema.js';
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../logger.js';
import type { Checkpoint, EventStore, ReadAllResult, Subscription } from '../eventstore/port.js';
import type { Projection } from './projection.js';
import { linksTo, tracer } from '../tracing.js';
import {
  activate,
  compareAndSetCheckpoint,
  compareAndSetCheckpoints,
  listGenerations,
  startGeneration,
  type Generation,
} from './registry.js';

export type RunnerOptions = Readonly<{
  db: Kysely<PlatformDatabase>;
  store: EventStore;
  projections: readonly Projection[];
  logger: Logger;
  batchSize: number;
  /** Batch size for builds that are not serving yet (rebuilds, new versions). */
  rebuildBatchSize: number;
  pollMs: number;
  /** Called after each committed batch, for metrics. */
  onBatch?: (projection: string, applied: number) => void;
}>;

const REFRESH_MS = 5000;

/**
 * Feeds the global event feed to every projection. Each batch is applied in one
 * transaction that also compare-and-sets the build's checkpoint, under a
 * transaction-level advisory lock on the build, so any number of runners (in
 * one process or many) apply each event exactly once.
 */
export class ProjectionRunner {
  private readonly byName: Map<string, Projection>;
  /** Each projection's event types, for picking its events out of a shared read. */
  private readonly wanted: Map<string, ReadonlySet<string>>;
  private generations: Generation[] = [];
  private refreshedAt = 0;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private subscription: Subscription | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private idleDelay: number;

  constructor(private readonly o: RunnerOptions) {
    this.byName = new Map(o.projections.map((p) => [p.name, p]));
    this.wanted = new Map(o.projections.map((p) => [p.name, new Set(p.eventTypes)]));
    this.idleDelay = o.pollMs;
  }

  async start(): Promise<void> {
    this.subscription = await this.o.store.onAppended(() => this.wake());
    this.loop = this.run();
  }

  /** Returns once the batch under way (if any) has committed or rolled back. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    await this.subscription?.close();
  }

  /** Applies batches until every build has reached the head of the feed (tests, CLI). */
  async catchUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.tick()) continue;
      const atHead = await Promise.all(this.generations.map((g) => this.atHead(g)));
      if (atHead.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error('projections did not reach the head of the feed in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Builds `name` again from zero beside the serving build, then switches reads
   * to it. The next batch is read while the current one is applied.
   * `onApplied` hears the events applied so far after each batch (CLI progress).
   */
  async rebuild(name: string, onApplied?: (events: number) => void): Promise<{ events: number; ms: number }> {
    const projection = this.byName.get(name);
    if (!projection) throw new Error(`unknown projection ${name}`);
    const started = performance.now();
    const g = await startGeneration(this.o.db, projection, { force: true });
    let events = 0;
    let current: Generation = g;
    let reading = this.read(projection, current);
    for (;;) {
      const batch = await reading;
      if (batch.next === current.checkpoint) {
        if (await this.atHead(current)) break;
        await new Promise((r) => setTimeout(r, 10));
        reading = this.read(projection, current);
        continue;
      }
      reading = this.read(projection, { ...current, checkpoint: batch.next });
      if (!(await this.commit(projection, current, batch))) {
        // Another runner advanced this build too; carry on from where it got to.
        await reading.catch(() => {});
        const now = (await listGenerations(this.o.db, name)).find((x) => x.generation === g.generation);
        if (!now) return { events, ms: performance.now() - started };
        current = now;
        reading = this.read(projection, current);
        continue;
      }
      events += batch.events.length;
      onApplied?.(events);
      current = { ...current, checkpoint: batch.next };
    }
    await activate(this.o.db, projection, current);
    return { events, ms: performance.now() - started };
  }

  private wake(): void {
    this.woken = true;
    this.idleDelay = 5;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let progressed = false;
      try {
        progressed = await this.tick();
      } catch (err) {
        this.o.logger.error({ err }, 'projection batch failed; retrying');
        await this.sleep(1000);
        continue;
      }
      if (!progressed && !this.stopping) {
        // After a wake-up the new events may still sit behind an older running
        // transaction; look again soon, then fall back to the polling interval.
        const delay = this.idleDelay;
        this.idleDelay = Math.min(this.idleDelay * 2, this.o.pollMs);
        await this.sleep(this.woken ? 0 : delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    this.woken = false;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  /**
   * One batch for every build this process serves; true if any made progress. Builds at the same
   * checkpoint (in steady state, every serving build) share one read of the feed and one
   * transaction, instead of a read and a commit each: under load that is most of the work the
   * projector asks of the database.
   */
  private async tick(): Promise<boolean> {
    await this.refresh(false);
    let progressed = false;
    for (const group of this.groups()) {
      if (this.stopping) break;
      const [first] = group;
      if (!first) continue;
      const batch = await this.readFeed(first);
      if (batch.next === first.checkpoint) {
        for (const g of group) await this.activateIfCaughtUp(g);
        continue;
      }
      const outcome = await this.commitGroup(group, first.checkpoint, batch);
      if (outcome === 'lost') {
        await this.refresh(true);
        return true;
      }
      for (const g of group) this.replace({ ...g, checkpoint: batch.next });
      progressed = true;
    }
    return progressed;
  }

  /** The builds this process serves, grouped by where they read next (checkpoint and batch size). */
  private groups(): Generation[][] {
    const groups = new Map<string, Generation[]>();
    for (const g of this.generations) {
      if (!this.byName.has(g.name)) continue;
      const key = `${this.limitOf(g)}/${g.checkpoint}`;
      groups.set(key, [...(groups.get(key) ?? []), g]);
    }
    return [...groups.values()];
  }

  private async activateIfCaughtUp(g: Generation): Promise<void> {
    const projection = this.byName.get(g.name);
    if (!projection || g.status !== 'building' || !(await this.atHead(g))) return;
    if (await activate(this.o.db, projection, g)) {
      this.o.logger.info({ projection: g.name, generation: g.generation }, 'projection build caught up and now serves reads');
      await this.refresh(true);
    }
  }

  /**
   * Applies one read of the feed to every build of the group in one transaction. If that fails
   * (one projection cannot apply an event), each build is committed on its own instead, so the
   * others move on and the error names the one that failed.
   */
  private async commitGroup(group: readonly Generation[], checkpoint: Checkpoint, batch: ReadAllResult): Promise<'ok' | 'lost'> {
    if (group.length > 1) {
      const together = await this.commitTogether(group, checkpoint, batch).catch((err: unknown) => {
        this.o.logger.warn({ err, projections: group.map((g) => g.name) }, 'a shared projection batch failed; applying it build by build');
        return null;
      });
      if (together !== null) return together;
    }
    let outcome: 'ok' | 'lost' = 'ok';
    for (const g of group) {
      const projection = this.byName.get(g.name);
      if (projection && !(await this.commit(projection, g, this.eventsFor(projection, batch)))) outcome = 'lost';
    }
    return outcome;
  }

  private async commitTogether(group: readonly Generation[], checkpoint: Checkpoint, batch: ReadAllResult): Promise<'ok' | 'lost'> {
    const parts = group.flatMap((g) => {
      const projection = this.byName.get(g.name);
      return projection ? [{ g, projection, batch: this.eventsFor(projection, batch) }] : [];
    });
    const committed = await this.o.db.transaction().execute(async (trx) => {
      const schemas = parts.map((p) => p.g.schemaName);
      const locks = await sql<{ ok: boolean }>`
        SELECT pg_try_advisory_xact_lock(hashtext('projection'), hashtext(s)) AS ok
        FROM unnest(${schemas}::text[]) WITH ORDINALITY AS u(s, i) ORDER BY i`.execute(trx);
      if (!locks.rows.every((r) => r.ok)) return false;
      const builds = parts.map((p) => ({ g: p.g, applied: p.batch.events.length }));
      if (!(await compareAndSetCheckpoints(trx, builds, checkpoint, batch.next))) return false;
      for (const { g, projection, batch: own } of parts) {
        if (own.events.length > 0) await this.traced(g, own, () => projection.apply(trx.withSchema(g.schemaName), own.events));
      }
      return true;
    });
    if (!committed) return 'lost';
    for (const { g, batch: own } of parts) if (own.events.length > 0) this.o.onBatch?.(g.name, own.events.length);
    return 'ok';
  }

  private eventsFor(projection: Projection, batch: ReadAllResult): ReadAllResult {
    const wanted = this.wanted.get(projection.name);
    return { events: batch.events.filter((e) => wanted?.has(e.type)), next: batch.next };
  }

  private limitOf(g: Generation): number {
    return g.status === 'building' ? this.o.rebuildBatchSize : this.o.batchSize;
  }

  /** The whole feed after `g`'s checkpoint; each projection picks out its own event types. */
  private readFeed(g: Generation): Promise<ReadAllResult> {
    return this.o.store.readAll({ from: g.checkpoint, limit: this.limitOf(g) });
  }

  private read(projection: Projection, g: Generation): Promise<ReadAllResult> {
    return this.o.store.readAll({ from: g.checkpoint, limit: this.limitOf(g), types: projection.eventTypes });
  }

  /** Applies a batch and moves the checkpoint past it in one transaction; false if another runner got there first. */
  private async commit(projection: Projection, g: Generation, batch: ReadAllResult): Promise<boolean> {
    if (batch.events.length === 0) return this.commitBatch(projection, g, batch);
    return this.traced(g, batch, () => this.commitBatch(projection, g, batch));
  }

  /** A batch is a trace of its own, linked to the commands whose events it applies. */
  private traced<T>(g: Generation, batch: ReadAllResult, work: () => Promise<T>): Promise<T> {
    return tracer.startActiveSpan(
      `project ${g.name}`,
      { links: linksTo(batch.events.map((e) => e.metadata)), attributes: { 'ktv.projection': g.name, 'ktv.events': batch.events.length } },
      async (span) => {
        try {
          return await work();
        } finally {
          span.end();
        }
      },
    );
  }

  private async commitBatch(projection: Projection, g: Generation, batch: ReadAllResult): Promise<boolean> {
    const committed = await this.o.db.transaction().execute(async (trx) => {
      const lock = await sql<{
        ok: boolean;
      }>`SELECT pg_try_advisory_xact_lock(hashtext('projection'), hashtext(${g.schemaName})) AS ok`.execute(trx);
      if (!lock.rows[0]?.ok) return false;
      if (!(await compareAndSetCheckpoint(trx, g, g.checkpoint, batch.next, batch.events.length))) return false;
      if (batch.events.length > 0) await projection.apply(trx.withSchema(g.schemaName), batch.events);
      return true;
    });
    if (committed && batch.events.length > 0) this.o.onBatch?.(g.name, batch.events.length);
    return committed;
  }

  /**
   * Nothing at all after the checkpoint, committed or not. The visible end of the
   * feed can stop short of the head while older transactions are open; a build
   * switches over only at the true head.
   */
  private async atHead(g: Generation): Promise<boolean> {
    return (await this.o.store.countAfter(g.checkpoint, 1)) === 0;
  }

  private replace(g: Generation): void {
    this.generations = this.generations.map((x) => (x.name === g.name && x.generation === g.generation ? g : x));
  }

  /** Loads the builds this code serves, starting a build for any projection whose version has none. */
  private async refresh(force: boolean): Promise<void> {
    if (!force && Date.now() - this.refreshedAt < REFRESH_MS) return;
    const all = await listGenerations(this.o.db);
    const mine: Generation[] = [];
    for (const projection of this.o.projections) {
      const own = all.filter((g) => g.name === projection.name && g.version === projection.version);
      if (own.length === 0) {
        const newer = all.find((g) => g.name === projection.name && g.version > projection.version);
        if (newer) {
          this.o.logger.warn(
            { projection: projection.name, version: projection.version, serving: newer.version },
            'a newer projection version serves; this process leaves it alone',
          );
          continue;
        }
        own.push(await startGeneration(this.o.db, projection, { force: false }));
        this.o.logger.info({ projection: projection.name, version: projection.version }, 'building projection from zero');
      }
      mine.push(...own);
    }
    this.generations = mine;
    this.refreshedAt = Date.now();
  }
}
