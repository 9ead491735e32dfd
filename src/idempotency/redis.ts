import type { Redis } from 'ioredis';
import { ABANDONED_MS, RETENTION_MS, type Claim, type IdempotencyStore, type StoredResponse } from './store.js';

type Entry = { hash: string; status: 'pending' | 'done'; response?: StoredResponse };

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'ktv:idem:',
  ) {}

  private k(scope: string, key: string): string {
    return `${this.prefix}${scope}:${key}`;
  }

  async claim(scope: string, key: string, requestHash: string): Promise<Claim> {
    const k = this.k(scope, key);
    // The pending entry expires on its own if the request dies with it.
    const pending: Entry = { hash: requestHash, status: 'pending' };
    const ok = await this.redis.set(k, JSON.stringify(pending), 'PX', ABANDONED_MS, 'NX');
    if (ok === 'OK') return { kind: 'claimed' };
    const raw = await this.redis.get(k);
    if (raw === null) return this.claim(scope, key, requestHash);
    const entry = JSON.parse(raw) as Entry;
    if (entry.hash !== requestHash) return { kind: 'mismatch' };
    if (entry.status === 'pending' || !entry.response) return { kind: 'pending' };
    // Entries stored before answers kept their headers have none to replay.
    return { kind: 'done', response: { ...entry.response, headers: entry.response.headers ?? {} } };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    const k = this.k(scope, key);
    const raw = await this.redis.get(k);
    const hash = raw ? (JSON.parse(raw) as Entry).hash : '';
    const done: Entry = { hash, status: 'done', response };
    await this.redis.set(k, JSON.stringify(done), 'PX', RETENTION_MS);
  }

  async release(scope: string, key: string): Promise<void> {
    await this.redis.del(this.k(scope, key));
  }
}
