import type { Metrics } from '../metrics.js';
import { noteAppended } from './positions.js';
import { currentTraceContext } from '../tracing.js';
import {
  WrongExpectedVersionError,
  streamType,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type StreamAppend,
  type Checkpoint,
} from './port.js';

/**
 * Counts appends and version conflicts around any adapter, stamps each event with the trace context, tells this process's listeners which streams it appended to,
 * and notes each append's position for the request that made it (see positions.ts).
 */
/** Each event remembers the trace that appended it, so the projections' work links back to it. */
function stamped(events: readonly NewEvent[]): readonly NewEvent[] {
  const traced = currentTraceContext();
  return traced.traceparent ? events.map((e) => ({ ...e, metadata: { ...traced, ...e.metadata } })) : events;
}

export class InstrumentedEventStore implements EventStore {
  readonly kind: EventStore['kind'];
  readonly atomicMultiStream: boolean;
  private readonly appendListeners: ((streamId: string) => void)[] = [];

  constructor(
    private readonly inner: EventStore,
    private readonly metrics: Metrics,
  ) {
    this.kind = inner.kind;
    this.atomicMultiStream = inner.atomicMultiStream;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion) {
    const labels = { stream_type: streamType(streamId) };
    try {
      const result = await this.inner.appendToStream(streamId, stamped(events), expected);
      this.appended(streamId, events, result.position);
      return result;
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) this.metrics.conflicts.inc(labels);
      throw err;
    }
  }

  async appendToStreams(appends: readonly StreamAppend[]) {
    try {
      const results = await this.inner.appendToStreams(appends.map((a) => ({ ...a, events: stamped(a.events) })));
      appends.forEach(({ streamId, events }, i) => this.appended(streamId, events, results[i]?.position));
      return results;
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) this.metrics.conflicts.inc({ stream_type: streamType(err.streamId) });
      throw err;
    }
  }

  private appended(streamId: string, events: readonly NewEvent[], position: Checkpoint | undefined): void {
    this.metrics.appends.inc({ stream_type: streamType(streamId) });
    this.metrics.appendedEvents.inc(events.length);
    this.metrics.countBusiness(events);
    for (const listener of this.appendListeners) listener(streamId);
    if (position !== undefined) noteAppended(position);
  }

  /** Called after each append this process makes succeeds, before the caller hears of it. */
  onLocalAppend(listener: (streamId: string) => void): void {
    this.appendListeners.push(listener);
  }

  readStream: EventStore['readStream'] = (s, o) => this.inner.readStream(s, o);
  readAll: EventStore['readAll'] = (o) => this.inner.readAll(o);
  head: EventStore['head'] = () => this.inner.head();
  countAfter: EventStore['countAfter'] = (f, c) => this.inner.countAfter(f, c);
  onAppended: EventStore['onAppended'] = (w) => this.inner.onAppended(w);
  ping: EventStore['ping'] = () => this.inner.ping();
  close: EventStore['close'] = () => this.inner.close();
}
