import type { Redis } from 'ioredis';

/** The numbers of the policy; see LOGIN_* in src/config.ts and the README's "Limits". */
export type LoginFailurePolicy = Readonly<{
  perAccountAndIp: number;
  perAccount: number;
  windowSeconds: number;
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  accountMaxDelaySeconds: number;
}>;

/**
 * Counters of failures and the waits they impose, by key. Redis when configured,
 * so every instance counts together, else this process (then the only API node).
 */
interface FailureCounters {
  /** Milliseconds left on each key's wait, 0 for none. */
  waitsFor(keys: readonly string[]): Promise<number[]>;
  /** Counts a failure, kept for `windowMs`; returns the count. */
  add(key: string, windowMs: number): Promise<number>;
  /** Imposes a wait of `waitMs` and keeps the count until `windowMs` after that wait. */
  hold(key: string, waitMs: number, windowMs: number): Promise<void>;
  /** Forgets the key's failures and wait. */
  reset(key: string): Promise<void>;
}

const NAMESPACE = 'ktv:login:';

class RedisFailureCounters implements FailureCounters {
  constructor(private readonly redis: Redis) {}

  async waitsFor(keys: readonly string[]): Promise<number[]> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.pttl(`${NAMESPACE}wait:${key}`);
    const results = (await pipeline.exec()) ?? [];
    // PTTL answers -2 for no key (and -1 for no expiry, which these keys never lack).
    return results.map(([error, ms]) => {
      if (error) throw error;
      return typeof ms === 'number' && ms > 0 ? ms : 0;
    });
  }

  async add(key: string, windowMs: number): Promise<number> {
    const count = `${NAMESPACE}count:${key}`;
    const results = (await this.redis.multi().incr(count).pexpire(count, windowMs).exec()) ?? [];
    const [error, value] = results[0] ?? [new Error('no reply from Redis')];
    if (error) throw error;
    return Number(value);
  }

  async hold(key: string, waitMs: number, windowMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(`${NAMESPACE}wait:${key}`, '1', 'PX', waitMs)
      .pexpire(`${NAMESPACE}count:${key}`, waitMs + windowMs)
      .exec();
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(`${NAMESPACE}count:${key}`, `${NAMESPACE}wait:${key}`);
  }
}

/** Past this many keys, expired ones are swept on the next failure, so an attack cannot grow the maps without end. */
const SWEEP_ABOVE = 10_000;

class MemoryFailureCounters implements FailureCounters {
  private readonly counts = new Map<string, { count: number; until: number }>();
  private readonly waits = new Map<string, number>();

  async waitsFor(keys: readonly string[]): Promise<number[]> {
    const now = Date.now();
    return keys.map((key) => Math.max(0, (this.waits.get(key) ?? 0) - now));
  }

  async add(key: string, windowMs: number): Promise<number> {
    const now = Date.now();
    if (this.counts.size > SWEEP_ABOVE) this.sweep(now);
    const current = this.counts.get(key);
    const count = current && current.until > now ? current.count + 1 : 1;
    this.counts.set(key, { count, until: now + windowMs });
    return count;
  }

  async hold(key: string, waitMs: number, windowMs: number): Promise<void> {
    const now = Date.now();
    this.waits.set(key, now + waitMs);
    const current = this.counts.get(key);
    if (current) current.until = now + waitMs + windowMs;
  }

  async reset(key: string): Promise<void> {
    this.counts.delete(key);
    this.waits.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, { until }] of this.counts) if (until <= now) this.counts.delete(key);
    for (const [key, until] of this.waits) if (until <= now) this.waits.delete(key);
  }
}

/** The wait after the `count`-th failure: none below the threshold, then first, twice that, … up to the cap. */
export function delayMs(count: number, threshold: number, firstSeconds: number, maxSeconds: number): number {
  if (count < threshold) return 0;
  const doublings = Math.min(count - threshold, 30);
  return Math.min(maxSeconds, firstSeconds * 2 ** doublings) * 1000;
}

/**
 * Failed sign-ins, counted twice: per account from one address, and per account
 * from every address. Past a threshold each further failure doubles the wait
 * before the next attempt (answered 429 with Retry-After until then) instead of
 * locking the account: a lock would let anyone lock anyone out. The owner signing
 * in from an address that has not been failing is not held by the first count,
 * and the second (looser, with a short cap) only slows a guesser spread over many
 * addresses. A success clears that address's failures for the account only, so an
 * attacker cannot clear their own by signing in to an account of their own.
 */
export class LoginFailures {
  private readonly counters: FailureCounters;

  constructor(
    redis: Redis | null,
    private readonly policy: LoginFailurePolicy,
  ) {
    this.counters = redis ? new RedisFailureCounters(redis) : new MemoryFailureCounters();
  }

  /** Milliseconds before this account may be tried from this address; 0: now. */
  async waitMs(email: string, ip: string): Promise<number> {
    const waits = await this.counters.waitsFor([fromAddress(email, ip), fromAnywhere(email)]);
    return Math.max(0, ...waits);
  }

  /** Counts a failed attempt, and imposes the next wait past either threshold. */
  async failed(email: string, ip: string): Promise<void> {
    const p = this.policy;
    const windowMs = p.windowSeconds * 1000;
    const scopes = [
      { key: fromAddress(email, ip), threshold: p.perAccountAndIp, maxSeconds: p.maxDelaySeconds },
      { key: fromAnywhere(email), threshold: p.perAccount, maxSeconds: p.accountMaxDelaySeconds },
    ];
    await Promise.all(
      scopes.map(async ({ key, threshold, maxSeconds }) => {
        const count = await this.counters.add(key, windowMs);
        const wait = delayMs(count, threshold, p.firstDelaySeconds, maxSeconds);
        if (wait > 0) await this.counters.hold(key, wait, windowMs);
      }),
    );
  }

  /** A success from this address: its failures for this account are forgotten. */
  async succeeded(email: string, ip: string): Promise<void> {
    await this.counters.reset(fromAddress(email, ip));
  }
}

// The address comes first and holds no '|', so the two parts cannot be confused.
const fromAddress = (email: string, ip: string) => `ip:${ip}|${email}`;
const fromAnywhere = (email: string) => `account:${email}`;
