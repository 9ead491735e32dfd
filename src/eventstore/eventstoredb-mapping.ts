import { ANY, NO_STREAM, STREAM_EXISTS, jsonEvent, type AppendExpectedRevision, type JSONType, type Position } from '@eventstore/db-client';
import { START, type Checkpoint, type EventMetadata, type ExpectedVersion, type NewEvent } from './port.js';

/**
 * How our port's terms map onto EventStoreDB's: versions count from 1 where
 * revisions count from 0, checkpoints are `commit:prepare` positions of $all,
 * and our metadata travels with the schema version in the event's metadata.
 * Pure, so it is tested without a server.
 */

export function toRevision(expected: ExpectedVersion): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected === 0n ? NO_STREAM : expected - 1n;
  }
}

/** Our metadata and the schema version travel together in the event's metadata JSON. */
export function toEventData(e: NewEvent) {
  return jsonEvent({
    id: e.id,
    type: e.type,
    data: e.data as JSONType,
    metadata: { ...e.metadata, schemaVersion: e.schemaVersion ?? 1 },
  });
}

export function splitMetadata(raw: unknown): { schemaVersion: number; metadata: EventMetadata } {
  const { schemaVersion, ...metadata } =
    typeof raw === 'object' && raw !== null && !(raw instanceof Uint8Array) ? (raw as Record<string, unknown>) : {};
  return { schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 1, metadata: metadata };
}

/** EventStoreDB's own bookkeeping: stats, settings, projections, links. */
export function isSystem(e: { type: string; streamId: string }): boolean {
  return e.type.startsWith('$') || e.streamId.startsWith('$');
}

export function requirePosition(position: Position | undefined): Position {
  if (!position) throw new Error('EventStoreDB returned an event without its position: the server must be 22.6 or later');
  return position;
}

export function isAfter(p: Position, after: Position | null): boolean {
  return after === null || p.commit > after.commit || (p.commit === after.commit && p.prepare > after.prepare);
}

export function encode(p: Position): Checkpoint {
  return `${p.commit}:${p.prepare}` as Checkpoint;
}

/** null for START, the beginning of $all. */
export function decode(c: Checkpoint): Position | null {
  if (c === START) return null;
  const [commit, prepare, extra] = c.split(':');
  if (!commit || !prepare || extra !== undefined || !/^\d+$/.test(commit) || !/^\d+$/.test(prepare)) {
    throw new Error(`not an EventStoreDB checkpoint: ${c}`);
  }
  return { commit: BigInt(commit), prepare: BigInt(prepare) };
}
