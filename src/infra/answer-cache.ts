import type { Redis } from 'ioredis';
import { sql, type QueryExecutorProvider } from 'kysely';
import { listen } from '../db/listen.js';
import { systemClock, type Clock } from '../clock.js';

/** Projections announce changes that make availability answers stale here: a business date, or `*` for all. */
export const AVAILABILITY_CHANNEL = 'ktv_availability';

/** Invalidates every scope at once (a room, the venue or the rate card changed). */
export const ALL_SCOPES = '*';

/**
 * For projections: makes the availability answers of these scopes stale in every
 * process. Sent inside the batch's transaction, so it is delivered when the rows
 * it speaks of are committed, and never for a batch that rolls back.
 */
export async function staleAvailability(trx: QueryExecutorProvider, scopes: Iterable<string>): Promise<void> {
  for (const scope of scopes) await sql`SELECT pg_notify(${AVAILABILITY_CHANNEL}, ${scope})`.execute(trx);
}

type Entry = { value: unknown; freshUntil: number };

/** Where answers and the generation of each scope live: this process, or Redis shared by every instance. */
interface AnswerStore {
  /** The generations of `scope` and of `*`, as one stamp. */
  stamp(scope: string): Promise<string>;
  bump(scope: string): Promise<void>;
  read(key: string): Promise<unknown>;
  write(key: string, value: unknown, ttlMs: number): Promise<void>;
}

class LocalStore implements AnswerStore {
  private readonly generations = new Map<string, number>();
  private readonly entries = new Map<string, { until: number; value: unknown }>();
  constructor(
    private readonly maxEntries: number,
    private readonly clock: Clock,
  ) {}

  async stamp(scope: string) {
    return `${this.generations.get(scope) ?? 0}.${this.generations.get(ALL_SCOPES) ?? 0}`;
  }
  async bump(scope: string) {
    this.generations.set(scope, (this.generations.get(scope) ?? 0) + 1);
  }
  async read(key: string) {
    const hit = this.entries.get(key);
    return hit && hit.until > this.clock().getTime() ? hit.value : undefined;
  }
  async write(key: string, value: unknown, ttlMs: number) {
    this.entries.delete(key);
    this.entries.set(key, { until: this.clock().getTime() + ttlMs, value });
    // Maps keep insertion order, so the first key is the oldest written.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

class RedisStore implements AnswerStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async stamp(scope: string) {
    const [own, all] = await this.redis.mget(`${this.prefix}:gen:${scope}`, `${this.prefix}:gen:${ALL_SCOPES}`);
    return `${own ?? 0}.${all ?? 0}`;
  }
  async bump(scope: string) {
    await this.redis.incr(`${this.prefix}:gen:${scope}`);
  }
  async read(key: string) {
    const text = await this.redis.get(`${this.prefix}:answer:${key}`);
    return text === null ? undefined : (JSON.parse(text) as unknown);
  }
  async write(key: string, value: unknown, ttlMs: number) {
    await this.redis.set(`${this.prefix}:answer:${key}`, JSON.stringify(value), 'PX', ttlMs);
  }
}

/**
 * Cached query answers grouped by scope (for availability, a business date),
 * kept in Redis when there is one, else in this process. Every process LISTENs
 * on `channel`; a NOTIFY naming a scope bumps its generation, and answers are
 * keyed by the generation read before their query ran, so an answer computed
 * while a change was landing is never served afterwards. Answers are fresh for
 * `ttlMs`, because holds run out without any event; a stale one is refreshed
 * in the background while it is served, and dropped after twice that.
 * Freshness is judged by `clock` (the system clock unless given), so tests
 * can move time on instead of sleeping.
 */
export class AnswerCache {
  private readonly store: AnswerStore;
  private readonly clock: Clock;
  private subscription: { close(): Promise<void> } | null = null;
  private readonly computing = new Map<string, Promise<unknown>>();

  /**
   * `name` and `deploymentId` (the database's identity) keep answers of different caches, and of
   * services on different databases, apart in a shared Redis; `databaseUrl` is where to LISTEN.
   */
  constructor(
    private readonly o: {
      ttlMs: number;
      maxEntries: number;
      redis: Redis | null;
      name: string;
      databaseUrl: string;
      deploymentId: string;
      clock?: Clock;
    },
  ) {
    this.clock = o.clock ?? systemClock;
    this.store = o.redis ? new RedisStore(o.redis, `answers:${o.name}:${o.deploymentId}`) : new LocalStore(o.maxEntries, this.clock);
  }

  async listen(channel: string): Promise<void> {
    // An empty payload means "we may have missed some": everything is stale.
    this.subscription = await listen(
      { connectionString: this.o.databaseUrl },
      channel,
      (scope) => void this.invalidate(scope || ALL_SCOPES).catch(() => {}),
    );
  }

  invalidate(scope: string): Promise<void> {
    return this.store.bump(scope);
  }

  async get<T>(scope: string, key: string, compute: () => Promise<T>): Promise<T> {
    const fullKey = `${scope}|${await this.store.stamp(scope)}|${key}`;
    const hit = (await this.store.read(fullKey)) as Entry | undefined;
    const now = this.clock().getTime();
    // Gone past twice its freshness. The stores drop it then too, but Redis by its own clock: this
    // keeps the rule on ours (the same instant for the system clock), and the stored format as it was.
    if (hit === undefined || hit.freshUntil + this.o.ttlMs <= now) return this.refresh(fullKey, compute);
    // Past its freshness it is served on while one refresh runs: time alone only ever frees rooms
    // (a hold running out), so a late answer may miss a free room but never offers a taken one.
    if (hit.freshUntil <= now) void this.refresh(fullKey, compute).catch(() => {});
    return hit.value as T;
  }

  /** Resolves once the refreshes running now have finished (stored their answer, or failed). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.computing.values()]);
  }

  /** Callers missing the same answer at once share one computation. */
  private refresh<T>(fullKey: string, compute: () => Promise<T>): Promise<T> {
    let pending = this.computing.get(fullKey) as Promise<T> | undefined;
    if (!pending) {
      pending = (async () => {
        const value = await compute();
        const entry: Entry = { value, freshUntil: this.clock().getTime() + this.o.ttlMs };
        await this.store.write(fullKey, entry, 2 * this.o.ttlMs);
        return value;
      })().finally(() => this.computing.delete(fullKey));
      this.computing.set(fullKey, pending);
    }
    return pending;
  }

  async close(): Promise<void> {
    await this.subscription?.close();
  }
}
