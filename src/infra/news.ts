import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * Fire-and-forget announcements between processes ("the board changed"): Redis
 * pub/sub when there is Redis, so a change committed by one instance wakes the
 * readers of every instance; the process alone otherwise. Delivery is at most
 * once, so a message only says where to look; readers read the state itself
 * and look again now and then in case a message was lost.
 */
export interface News {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once subscribed; the result unsubscribes. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export class LocalNews implements News {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(channel: string, message: string) {
    this.emitter.emit(channel, message);
  }
  async subscribe(channel: string, onMessage: (message: string) => void) {
    this.emitter.on(channel, onMessage);
    return async () => void this.emitter.off(channel, onMessage);
  }
  async close() {
    this.emitter.removeAllListeners();
  }
}

/** Publishes on the shared connection; subscribes on one connection of its own (a subscribed connection can do nothing else). */
export class RedisNews implements News {
  private subscriber: Redis | null = null;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  /** `namespace` prefixes every channel. */
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  async publish(channel: string, message: string) {
    await this.redis.publish(`${this.namespace}:${channel}`, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    const sub = await this.connection();
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      await sub.subscribe(`${this.namespace}:${channel}`);
    }
    set.add(onMessage);
    return async () => {
      set.delete(onMessage);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        await sub.unsubscribe(`${this.namespace}:${channel}`).catch(() => {});
      }
    };
  }

  private async connection(): Promise<Redis> {
    if (this.subscriber) return this.subscriber;
    // ioredis subscribes again by itself after a reconnect; readers re-read on their own timer meanwhile.
    const sub = this.redis.duplicate({ lazyConnect: true, maxRetriesPerRequest: null });
    sub.on('error', () => {});
    const prefix = `${this.namespace}:`;
    sub.on('message', (channel: string, message: string) => {
      if (!channel.startsWith(prefix)) return;
      for (const handler of this.handlers.get(channel.slice(prefix.length)) ?? []) handler(message);
    });
    this.subscriber = sub;
    await sub.connect();
    return sub;
  }

  async close() {
    this.handlers.clear();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
