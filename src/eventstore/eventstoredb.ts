import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START as ESDB_START,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  WrongExpectedVersionError,
  type AppendResult,
  type StreamAppend,
  type Checkpoint,
  type EventStore,
  type ExpectedVersion,
  type Head,
  type NewEvent,
  type ReadAllOptions,
  type ReadAllResult,
  type RecordedEvent,
  type Subscription,
} from './port.js';
import { noUpcast, type Upcast } from './upcast.js';
import { decode, encode, isAfter, isSystem, requirePosition, splitMetadata, toEventData, toRevision } from './eventstoredb-mapping.js';

const RESUBSCRIBE_MIN_MS = 250;
const RESUBSCRIBE_MAX_MS = 5_000;

/**
 * The EventStoreDB event store, over gRPC (server 22.6 or later: older servers
 * report no positions on stream reads).
 *
 * Versions: EventStoreDB numbers a stream's events from revision 0, the port from
 * version 1, so version = revision + 1 throughout.
 *
 * The global feed is $all, which one writer appends to in commit order, so reading
 * it by position never skips an event that commits later. EventStoreDB writes its
 * own events there too ($-prefixed types, $-prefixed streams); they are never
 * returned, but reads still move past them.
 *
 * Retried appends: EventStoreDB deduplicates by event id, and how reliably depends
 * on the expected version sent:
 *  - an exact version (or `no_stream`) that the stream has moved past: the server
 *    compares the ids with the events stored right after that version. All the
 *    same: success with the original result, nothing written. Only some the same,
 *    or none: a conflict. This holds for as long as the events are stored.
 *  - `any` or `stream_exists`: the server looks the ids up in an in-memory cache
 *    of recently committed events of that stream. A hit is deduplicated as above;
 *    a miss (the events are old, or the server restarted since) appends them again.
 *  - an exact version the stream is still at: a plain append, ids unchecked, so an
 *    id already stored (earlier in the stream, or in another stream) is stored twice.
 * So an append that must be retried safely should name its version. (PostgreSQL
 * refuses a stored id in every case, through a unique index on the event id.)
 */
export class EventStoreDBEventStore implements EventStore {
  readonly kind = 'eventstoredb';
  /** EventStoreDB appends to one stream per transaction: multi-stream appends land one by one. */
  readonly atomicMultiStream = false;
  private readonly local = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly upcast: Upcast,
  ) {}

  /** Connects and reads once, so a wrong URL or an unreachable server fails at start. */
  static async connect(url: string, upcast: Upcast = noUpcast): Promise<EventStoreDBEventStore> {
    // The client (6.x) parses only esdb://; kurrentdb:// is the same format under the server's new name.
    const client = EventStoreDBClient.connectionString(url.replace(/^kurrentdb(\+discover)?:\/\//, 'esdb$1://'));
    const store = new EventStoreDBEventStore(client, upcast);
    try {
      await store.ping();
    } catch (err) {
      await client.dispose();
      throw err;
    }
    return store;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    try {
      const result = await this.client.appendToStream(streamId, events.map(toEventData), { expectedRevision: toRevision(expected) });
      // A fresh append and a deduplicated retry both report the position of the
      // batch's last event; the server leaves it out only when that event cannot be
      // read back yet, so read it ourselves then.
      const position = result.position ?? (await this.positionOf(streamId, result.nextExpectedRevision));
      for (const wake of this.local) wake();
      return { nextExpectedVersion: result.nextExpectedRevision + 1n, position: encode(position) };
    } catch (err) {
      if (err instanceof EsdbWrongExpectedVersionError) {
        const actual = err.actualVersion === NO_STREAM ? null : err.actualVersion + 1n;
        throw new WrongExpectedVersionError(streamId, expected, actual);
      }
      throw err;
    }
  }

  /** One stream after another; conditions are checked first and hold only as of that check (nothing here is atomic). */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    for (const c of appends.filter((a) => a.events.length === 0)) {
      const version = await this.streamVersion(c.streamId);
      if (version !== c.expected) throw new WrongExpectedVersionError(c.streamId, c.expected, version);
    }
    const written = new Map<string, AppendResult>();
    for (const a of appends) if (a.events.length > 0) written.set(a.streamId, await this.appendToStream(a.streamId, a.events, a.expected));
    const last = [...written.values()].at(-1);
    if (!last) throw new Error('appendToStreams needs events for at least one stream');
    return appends.map((a) => written.get(a.streamId) ?? { nextExpectedVersion: a.expected as bigint, position: last.position });
  }

  async readStream(streamId: string, options: { fromVersion?: bigint } = {}) {
    const fromVersion = options.fromVersion ?? 1n;
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, { fromRevision: fromVersion > 1n ? fromVersion - 1n : ESDB_START });
      for await (const { event } of read) if (event) events.push(this.toRecorded(event, event.position));
    } catch (err) {
      if (err instanceof StreamNotFoundError) return { version: 0n, events: [] };
      throw err;
    }
    // The version is that of the last event read, so it always matches the events
    // returned, even when appends land while the read pages through the stream.
    const version = events.at(-1)?.streamVersion ?? (await this.streamVersion(streamId));
    return { version, events };
  }

  async readAll({ from, limit, types }: ReadAllOptions): Promise<ReadAllResult> {
    const after = decode(from);
    // A read from a position includes the event at that position: read one more and drop it.
    const read = this.client.readAll({ fromPosition: after ?? ESDB_START, maxCount: limit + 1 });
    const raw: AllStreamResolvedEvent[] = [];
    for await (const resolved of read) {
      if (resolved.event && isAfter(resolved.event.position, after)) raw.push(resolved);
    }
    const page = raw.slice(0, limit);
    const last = page.at(-1)?.event;
    const wanted = types ? new Set(types) : null;
    const events: RecordedEvent[] = [];
    for (const { event } of page) {
      if (event && !isSystem(event) && (wanted === null || wanted.has(event.type))) events.push(this.toRecorded(event, event.position));
    }
    return { events, next: last ? encode(last.position) : from };
  }

  async head(): Promise<Head> {
    let head: Head = { globalPosition: 0n, createdAt: null };
    await walk(this.client.readAll({ fromPosition: END, direction: BACKWARDS }), ({ event }) => {
      if (!event || isSystem(event)) return true;
      head = { globalPosition: event.position.commit, createdAt: event.created };
      return false;
    });
    return head;
  }

  async countAfter(from: Checkpoint, cap: number): Promise<number> {
    if (cap <= 0) return 0;
    const after = decode(from);
    let n = 0;
    await walk(this.client.readAll({ fromPosition: after ?? ESDB_START }), ({ event }) => {
      if (!event || isSystem(event) || !isAfter(event.position, after)) return true;
      n += 1;
      return n < cap;
    });
    return n;
  }

  /**
   * Wakes listeners in this process at once after each append, and follows $all
   * for appends from other processes. A dropped subscription is renewed after a
   * growing pause (callers keep polling meanwhile), and every (re)subscription
   * wakes the listener, since whatever landed while it was down went unseen.
   */
  async onAppended(onWake: () => void): Promise<Subscription> {
    let closed = false;
    let current: AllStreamSubscription | null = null;
    let retry: NodeJS.Timeout | undefined;
    let pause = RESUBSCRIBE_MIN_MS;

    // Resolves once the server confirms; rejects if the stream drops first. Only the
    // first attempt's failure reaches the caller: later ones just try again.
    const subscribe = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const sub = this.client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
        current = sub;
        let confirmed = false;
        let dropped = false;
        const drop = (err?: Error) => {
          if (dropped) return;
          dropped = true;
          sub.destroy();
          if (current === sub) current = null;
          if (!confirmed) reject(err ?? new Error('the $all subscription ended before the server confirmed it'));
          if (closed) return;
          retry = setTimeout(() => void subscribe().catch(() => {}), pause);
          pause = Math.min(pause * 2, RESUBSCRIBE_MAX_MS);
        };
        sub.on('confirmation', () => {
          confirmed = true;
          pause = RESUBSCRIBE_MIN_MS;
          resolve();
          onWake();
        });
        sub.on('data', () => onWake());
        // The client reports a failed stream with an 'error' event and nothing more (the
        // subscription is not destroyed), and a stream the server ended with 'close'.
        sub.on('error', (err: Error) => drop(err));
        sub.on('close', () => drop());
      });

    const subscription: Subscription = {
      close: async () => {
        closed = true;
        clearTimeout(retry);
        this.local.delete(onWake);
        this.subscriptions.delete(subscription);
        await current?.unsubscribe();
        current = null;
      },
    };
    try {
      await subscribe();
    } catch (err) {
      await subscription.close();
      throw err;
    }
    this.local.add(onWake);
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {
    await walk(this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }), () => false);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /** Where the event at `revision` of a stream sits in $all. */
  private async positionOf(streamId: string, revision: bigint): Promise<Position> {
    for await (const { event } of this.client.readStream(streamId, { fromRevision: revision, maxCount: 1 })) {
      if (event) return requirePosition(event.position);
    }
    throw new Error(`EventStoreDB reported event ${revision} of ${streamId} appended but does not return it`);
  }

  /** The stream's version without its events: its last event's, or 0 when it has none. */
  private async streamVersion(streamId: string): Promise<bigint> {
    try {
      for await (const { event } of this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
        if (event) return event.revision + 1n;
      }
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw err;
    }
    return 0n;
  }

  private toRecorded(e: EsdbRecordedEvent, position: Position | undefined): RecordedEvent {
    const at = requirePosition(position);
    const { schemaVersion: stored, metadata } = splitMetadata(e.metadata);
    const { schemaVersion, data } = this.upcast(e.type, stored, e.data);
    return {
      id: e.id,
      streamId: e.streamId,
      streamVersion: e.revision + 1n,
      type: e.type,
      schemaVersion,
      data,
      metadata,
      createdAt: e.created,
      position: encode(at),
      globalPosition: at.commit,
    };
  }
}

/**
 * Walks a read until `visit` returns false, then cancels the rest on the server
 * (leaving the loop alone only stops reading locally).
 */
async function walk(read: StreamingRead<AllStreamResolvedEvent>, visit: (e: AllStreamResolvedEvent) => boolean): Promise<void> {
  for await (const e of read) {
    if (!visit(e)) {
      await read.cancel();
      return;
    }
  }
}
