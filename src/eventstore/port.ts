import { AppError } from '../errors.js';

/**
 * The event store port. Two adapters implement it (PostgreSQL and EventStoreDB)
 * and both pass test/src/eventstore/contract.ts.
 *
 * Stream versions count events: a stream's first event has version 1, and a
 * stream at version N holds N events.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | bigint;

export type EventMetadata = Readonly<{
  correlationId?: string;
  causationId?: string;
  actor?: string;
  idempotencyKey?: string;
  /** The W3C trace context of the operation that appended the event, when tracing is on (src/tracing.ts). */
  traceparent?: string;
  tracestate?: string;
}>;

/** An event the application wants to append. `id` makes retried appends idempotent. */
export type NewEvent<Type extends string = string, Data = unknown> = Readonly<{
  id: string;
  type: Type;
  schemaVersion?: number;
  data: Data;
  metadata?: EventMetadata;
}>;

/**
 * A stored event as read back. `position` is the adapter's global order, an
 * opaque string that can be handed back as a checkpoint; `globalPosition` is a
 * number for lag figures only.
 */
export type RecordedEvent<Type extends string = string, Data = unknown> = Readonly<{
  id: string;
  streamId: string;
  streamVersion: bigint;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  createdAt: Date;
  position: Checkpoint;
  globalPosition: bigint;
}>;

/** Opaque, adapter-specific position in the global feed; `START` reads from the beginning. */
export type Checkpoint = string & { readonly __checkpoint: unique symbol };
export const START = '' as Checkpoint;

export type AppendResult = Readonly<{ nextExpectedVersion: bigint; position: Checkpoint }>;

export type ReadAllOptions = Readonly<{
  from: Checkpoint;
  limit: number;
  /** Event types to return; others are skipped but still advance `next`. */
  types?: readonly string[];
}>;

export type ReadAllResult = Readonly<{
  events: readonly RecordedEvent[];
  /** Where the next read starts; moves past filtered-out events too. */
  next: Checkpoint;
}>;

export type Head = Readonly<{ globalPosition: bigint; createdAt: Date | null }>;

/**
 * One stream's part of a multi-stream append: `no_stream` or an exact version only. With no
 * events it is a condition: the stream must still be at `expected` (a version) when the others are
 * written, and nothing is appended to it; its result carries the append's position.
 */
export type StreamAppend = Readonly<{ streamId: string; events: readonly NewEvent[]; expected: 'no_stream' | bigint }>;

export type Subscription = Readonly<{ close(): Promise<void> }>;

export interface EventStore {
  readonly kind: 'postgres' | 'eventstoredb';
  appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  /**
   * Appends to several streams, each with its expected version, and answers in the same order.
   * Where `atomicMultiStream` is true, all or none are appended in one commit (a conflict on any
   * stream writes nothing); elsewhere one after the other, so a caller must stay correct if only
   * the first ones land (EventStoreDB has no multi-stream transactions).
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  readonly atomicMultiStream: boolean;
  /** Events of one stream in version order; an unknown stream reads as empty with version 0. */
  readStream(streamId: string, options?: { fromVersion?: bigint }): Promise<{ version: bigint; events: readonly RecordedEvent[] }>;
  /** A batch of the global feed after `from`, never skipping an event that commits later. */
  readAll(options: ReadAllOptions): Promise<ReadAllResult>;
  /** Resolves with the latest global position and its time, for lag figures. */
  head(): Promise<Head>;
  /** How many events lie after a checkpoint (capped), for lag figures. */
  countAfter(from: Checkpoint, cap: number): Promise<number>;
  /** Calls `onWake` whenever new events may be readable; polling stays the fallback. */
  onAppended(onWake: () => void): Promise<Subscription>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The stream's category: `room-42` is a `room` stream. */
export function streamType(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}

/** The expected version did not match: another writer got there first. */
export class WrongExpectedVersionError extends AppError {
  readonly status = 409;
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: bigint | null,
  ) {
    super('version_conflict', `Stream ${streamId} changed concurrently; retry the request.`, {
      streamId,
    });
  }
}
