import pg from 'pg';
import {
  START,
  WrongExpectedVersionError,
  type AppendResult,
  type Checkpoint,
  type EventMetadata,
  type EventStore,
  type ExpectedVersion,
  type Head,
  type NewEvent,
  type ReadAllOptions,
  type ReadAllResult,
  type RecordedEvent,
  type StreamAppend,
  type Subscription,
  streamType,
} from './port.js';
import { noUpcast, type Upcast } from './upcast.js';
import { listen } from '../db/listen.js';
import { GroupCommit } from './group-commit.js';

export const NOTIFY_CHANNEL = 'ktv_events';
/** Multi-stream appends under way at once; more wait and go together (see GroupCommit). */
const GROUP_COMMIT_IN_FLIGHT = 4;

/**
 * The PostgreSQL event store (schema in src/db/migrations/0001_event_store.ts).
 *
 * An append is one statement: a CTE bumps the stream row under the version check,
 * and the event rows are produced only from that CTE's output, so a conflicting
 * append draws no sequence value and writes nothing.
 *
 * The global feed is read in (transaction id, position) order and only below the
 * oldest transaction still running, so an append whose transaction commits after
 * a later one can never be skipped by a reader that has moved past it.
 */
export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres';
  readonly atomicMultiStream = true;
  private readonly local = new Set<() => void>();
  private notifyPending = false;
  private notifying = false;
  /** Concurrent multi-stream appends (holds, on a busy night) share statements and commits. */
  private readonly groupCommit = new GroupCommit<readonly StreamAppend[], AppendResult[]>({
    maxInFlight: GROUP_COMMIT_IN_FLIGHT,
    maxBatch: 64,
    keysOf: (appends) => appends.map((a) => a.streamId),
    together: (batch) => this.appendTogether(batch),
    alone: (appends) => this.appendAlone(appends),
  });

  /**
   * `pool` runs the statements (a client inside an open transaction works too,
   * which tests use to hold an append uncommitted); `listenConfig` opens the
   * dedicated LISTEN connection.
   */
  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    private readonly listenConfig: pg.ClientConfig,
    private readonly upcast: Upcast = noUpcast,
  ) {}

  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const n = events.length;
    const params = [
      streamId,
      streamType(streamId),
      n,
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion ?? 1),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata ?? {})),
    ];
    let bump: string;
    let kind: string;
    if (expected === 'no_stream' || expected === 0n) {
      kind = 'no_stream';
      bump = `INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, $2, $3)
              ON CONFLICT (stream_id) DO NOTHING RETURNING version`;
    } else if (expected === 'any') {
      kind = 'any';
      bump = `INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, $2, $3)
              ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + EXCLUDED.version RETURNING version`;
    } else if (expected === 'stream_exists') {
      kind = 'stream_exists';
      bump = `UPDATE streams SET version = version + $3 WHERE stream_id = $1 AND $2::text IS NOT NULL RETURNING version`;
    } else {
      params.push(expected.toString());
      kind = 'exact';
      bump = `UPDATE streams SET version = version + $3 WHERE stream_id = $1 AND version = $9::bigint AND $2::text IS NOT NULL
              RETURNING version`;
    }
    const sql = `
      WITH bumped AS (${bump}),
      inserted AS (
        INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
        SELECT $1, bumped.version - $3 + e.ord, e.id, e.type, e.schema_version, e.data, e.metadata
        FROM bumped,
             unnest($4::uuid[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[])
               WITH ORDINALITY AS e(id, type, schema_version, data, metadata, ord)
        ORDER BY e.ord
        RETURNING stream_version, global_position, transaction_id
      )
      SELECT max(stream_version)::text AS version, max(global_position)::text AS pos, max(transaction_id::text) AS tx
      FROM inserted`;
    try {
      // Named, so each connection parses and plans each form of the append once.
      const { rows } = await this.pool.query<{ version: string | null; pos: string | null; tx: string | null }>({
        name: `ktv_append_${kind}`,
        text: sql,
        values: params,
      });
      const row = rows[0];
      if (row?.version != null && row.pos != null && row.tx != null) {
        this.announce();
        return { nextExpectedVersion: BigInt(row.version), position: encode(row.tx, row.pos) };
      }
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    return this.resolveRetryOrConflict(streamId, events, expected);
  }

  /**
   * Several streams in one statement, so one commit: the stream rows are created (`no_stream`) or
   * bumped (exact version) together, the events come only from the rows that moved, and when any
   * stream did not move the statement fails on purpose (a division by zero on the count), which
   * rolls back the ones that did. A refused batch is then, stream by stream, a retry that already
   * landed or a conflict.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (!appends.some((a) => a.events.length > 0)) throw new Error('appendToStreams needs events for at least one stream');
    if (appends.some((a) => a.events.length === 0 && a.expected === 'no_stream')) throw new Error('a condition needs a version');
    if (new Set(appends.map((a) => a.streamId)).size !== appends.length) throw new Error('appendToStreams needs distinct streams');
    return this.groupCommit.write(appends);
  }

  /**
   * One multi-stream append or, when refused, each stream resolved as a retry that already landed
   * or a conflict; a stream that really moved on is named first (a condition, then the others).
   */
  private async appendAlone(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const written = await this.appendMany(appends);
    if (written) return withPositions(written);
    const conditions = appends.filter((a) => a.events.length === 0);
    for (const c of conditions) {
      const head = await this.version(c.streamId);
      if (head !== c.expected) throw new WrongExpectedVersionError(c.streamId, c.expected, head);
    }
    const results: Unplaced[] = [];
    for (const a of appends)
      results.push(
        a.events.length === 0
          ? { nextExpectedVersion: a.expected as bigint, position: null }
          : await this.resolveRetryOrConflict(a.streamId, a.events, a.expected),
      );
    return withPositions(results);
  }

  /** Several callers' multi-stream appends (no stream in two of them) as one statement; null if refused. */
  private async appendTogether(batch: readonly (readonly StreamAppend[])[]): Promise<AppendResult[][] | null> {
    const written = await this.appendMany(batch.flat());
    if (!written) return null;
    let at = 0;
    return batch.map((appends) => withPositions(written.slice(at, (at += appends.length))));
  }

  /** The multi-stream append statement: the streams' results in order (a condition's without a position), or null when nothing was written. */
  private async appendMany(appends: readonly StreamAppend[]): Promise<Unplaced[] | null> {
    const events = appends.flatMap((a, i) => a.events.map((e) => ({ e, stream: i + 1 })));
    const params = [
      appends.map((a) => a.streamId),
      appends.map((a) => streamType(a.streamId)),
      appends.map((a) => a.events.length),
      appends.map((a) => (a.expected === 'no_stream' ? '0' : a.expected.toString())),
      events.map((x) => x.stream),
      events.map((x) => x.e.id),
      events.map((x) => x.e.type),
      events.map((x) => x.e.schemaVersion ?? 1),
      events.map((x) => JSON.stringify(x.e.data)),
      events.map((x) => JSON.stringify(x.e.metadata ?? {})),
    ];
    try {
      const { rows } = await this.pool.query<{ stream_id: string; version: string; pos: string | null; tx: string | null }>({
        name: 'ktv_append_many',
        text: APPEND_MANY,
        values: params,
      });
      // No rows: no stream moved, so nothing was written (the check only runs beside written events).
      if (rows.length !== appends.length) return null;
      const byStream = new Map(rows.map((r) => [r.stream_id, r]));
      const results = appends.map((a) => {
        const r = byStream.get(a.streamId);
        if (!r) throw new Error(`multi-stream append returned nothing for ${a.streamId}`);
        return { nextExpectedVersion: BigInt(r.version), position: r.tx === null || r.pos === null ? null : encode(r.tx, r.pos) };
      });
      this.announce();
      return results;
    } catch (err) {
      if (isUniqueViolation(err) || isDivisionByZero(err)) return null;
      throw err;
    }
  }

  private async version(streamId: string): Promise<bigint> {
    const { rows } = await this.pool.query<{ version: string }>('SELECT version::text FROM streams WHERE stream_id = $1', [streamId]);
    return BigInt(rows[0]?.version ?? 0);
  }

  /** A refused append is either a retry of one that already landed (same ids, same places) or a conflict. */
  private async resolveRetryOrConflict(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    // One round trip for both questions: where did these ids land, and where is the stream now.
    const { rows } = await this.pool.query<{
      event_id: string | null;
      stream_id: string;
      stream_version: string;
      pos: string;
      tx: string;
      head: string | null;
    }>(
      `SELECT e.event_id::text, e.stream_id, e.stream_version::text, e.global_position::text AS pos, e.transaction_id::text AS tx, s.version::text AS head
       FROM (SELECT 1) one
       LEFT JOIN streams s ON s.stream_id = $2
       LEFT JOIN events e ON e.event_id = ANY($1::uuid[])`,
      [events.map((e) => e.id), streamId],
    );
    const found = rows.filter((r) => r.event_id !== null);
    if (found.length === events.length) {
      const byId = new Map(found.map((r) => [r.event_id, r]));
      const stored = events.map((e) => byId.get(e.id.toLowerCase()));
      const first = stored[0];
      const consecutive =
        first !== undefined &&
        stored.every(
          (r, i) => r !== undefined && r.stream_id === streamId && BigInt(r.stream_version) === BigInt(first.stream_version) + BigInt(i),
        );
      const last = stored[stored.length - 1];
      if (consecutive && last) {
        return { nextExpectedVersion: BigInt(last.stream_version), position: encode(last.tx, last.pos) };
      }
    }
    const head = rows[0]?.head;
    const actual = head != null ? BigInt(head) : null;
    throw new WrongExpectedVersionError(streamId, expected, actual);
  }

  async readStream(streamId: string, options: { fromVersion?: bigint } = {}) {
    // One statement, so the events and the stream's version come from one snapshot: read
    // separately, an append committing in between would show a version without its events.
    const { rows } = await this.pool.query<EventRow & { head: string | null }>({
      name: 'ktv_read_stream',
      text: `SELECT s.version::text AS head, ev.* FROM (SELECT 1) one
       LEFT JOIN streams s ON s.stream_id = $1
       LEFT JOIN LATERAL (
         ${SELECT_EVENT} WHERE e.stream_id = $1 AND e.stream_version >= $2 ORDER BY e.stream_version
       ) ev ON true`,
      values: [streamId, (options.fromVersion ?? 1n).toString()],
    });
    const events = rows.filter((r) => r.id !== null).map((r) => this.toRecorded(r));
    return { version: BigInt(rows[0]?.head ?? 0), events };
  }

  async readAll({ from, limit, types }: ReadAllOptions): Promise<ReadAllResult> {
    const [tx, pos] = decode(from);
    const { rows } = await this.pool.query<EventRow>({
      name: 'ktv_read_all',
      text: `${SELECT_EVENT}
       WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
         AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY e.transaction_id, e.global_position
       LIMIT $3`,
      values: [tx, pos, limit],
    });
    const last = rows.at(-1);
    const wanted = types ? new Set(types) : null;
    return {
      events: rows.filter((r) => wanted === null || wanted.has(r.type)).map((r) => this.toRecorded(r)),
      next: last ? encode(last.tx, last.pos) : from,
    };
  }

  async head(): Promise<Head> {
    const { rows } = await this.pool.query<{ pos: string | null; created_at: Date | null }>(
      `SELECT global_position::text AS pos, created_at FROM events ORDER BY global_position DESC LIMIT 1`,
    );
    return { globalPosition: BigInt(rows[0]?.pos ?? 0), createdAt: rows[0]?.created_at ?? null };
  }

  async countAfter(from: Checkpoint, cap: number): Promise<number> {
    const [tx, pos] = decode(from);
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) LIMIT $3) t`,
      [tx, pos, cap],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Wakes listeners in this process at once and other processes through NOTIFY,
   * one at a time: appends made while a NOTIFY is on its way share the next one,
   * so a busy process sends one per round trip rather than one per append (a
   * hold's three appends used to send three). The NOTIFY is not part of the
   * append: a committing transaction that notifies holds a database-wide lock
   * through its commit, which would serialise every append behind one WAL flush
   * at a time.
   */
  private announce(): void {
    for (const wake of this.local) wake();
    this.notifyPending = true;
    if (this.notifying) return;
    this.notifying = true;
    setImmediate(() => void this.notifyOthers());
  }

  private async notifyOthers(): Promise<void> {
    while (this.notifyPending) {
      this.notifyPending = false;
      await this.pool.query(`SELECT pg_notify('${NOTIFY_CHANNEL}', '')`).catch(() => {
        // Listeners in other processes fall back to polling.
      });
    }
    this.notifying = false;
  }

  async onAppended(onWake: () => void): Promise<Subscription> {
    this.local.add(onWake);
    const remote = await listen(this.listenConfig, NOTIFY_CHANNEL, onWake);
    return {
      close: async () => {
        this.local.delete(onWake);
        await remote.close();
      },
    };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1 FROM streams LIMIT 1');
  }

  async close(): Promise<void> {
    // The pool belongs to whoever built it; the store holds nothing else.
  }

  private toRecorded(r: EventRow): RecordedEvent {
    const { schemaVersion, data } = this.upcast(r.type, r.schema_version, r.data);
    return {
      id: r.id,
      streamId: r.stream_id,
      streamVersion: BigInt(r.version),
      type: r.type,
      schemaVersion,
      data,
      metadata: r.metadata as EventMetadata,
      createdAt: r.created_at,
      position: encode(r.tx, r.pos),
      globalPosition: BigInt(r.pos),
    };
  }
}

type EventRow = {
  pos: string;
  tx: string;
  stream_id: string;
  version: string;
  id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  created_at: Date;
};

// Aliased so ORDER BY and WHERE below see the columns, not their text renderings.
const SELECT_EVENT = `SELECT e.global_position::text AS pos, e.transaction_id::text AS tx, e.stream_id,
  e.stream_version::text AS version, e.event_id::text AS id, e.event_type AS type, e.schema_version, e.data, e.metadata,
  e.created_at FROM events e`;

function encode(tx: string, pos: string): Checkpoint {
  return `${tx}:${pos}` as Checkpoint;
}

function decode(c: Checkpoint): [string, string] {
  if (c === START) return ['0', '0'];
  const [tx, pos] = c.split(':');
  if (!tx || !pos || !/^\d+$/.test(tx) || !/^\d+$/.test(pos)) throw new Error(`not a PostgreSQL checkpoint: ${c}`);
  return [tx, pos];
}

function isDivisionByZero(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '22012';
}

/** The multi-stream append (see appendToStreams): expected 0 is `no_stream`. */
const APPEND_MANY = `
  WITH s AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[]) WITH ORDINALITY AS s(stream_id, stream_type, n, expected, idx)
  ),
  created AS (
    INSERT INTO streams (stream_id, stream_type, version)
    SELECT stream_id, stream_type, n FROM s WHERE expected = 0 AND n > 0
    ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id, version
  ),
  -- Rows are locked in stream id order, so two batches sharing streams never deadlock.
  locked AS (
    SELECT t.stream_id FROM streams t JOIN s ON s.stream_id = t.stream_id AND s.expected > 0 AND s.n > 0
    ORDER BY t.stream_id FOR UPDATE OF t
  ),
  bumped AS (
    UPDATE streams t SET version = t.version + s.n FROM s, locked l
    WHERE t.stream_id = s.stream_id AND l.stream_id = s.stream_id AND t.version = s.expected
    RETURNING t.stream_id, t.version
  ),
  -- Conditions: streams that must still be where the caller saw them, as this statement sees them.
  unchanged AS (
    SELECT t.stream_id, t.version FROM streams t JOIN s ON s.stream_id = t.stream_id AND s.n = 0 AND t.version = s.expected
  ),
  moved AS (SELECT * FROM created UNION ALL SELECT * FROM bumped),
  inserted AS (
    INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
    SELECT s.stream_id, m.version - s.n + row_number() OVER (PARTITION BY e.stream ORDER BY e.ord), e.id, e.type, e.schema_version, e.data, e.metadata
    FROM unnest($5::int[], $6::uuid[], $7::text[], $8::int[], $9::jsonb[], $10::jsonb[])
           WITH ORDINALITY AS e(stream, id, type, schema_version, data, metadata, ord)
    JOIN s ON s.idx = e.stream
    JOIN moved m ON m.stream_id = s.stream_id
    ORDER BY e.ord
    RETURNING stream_id, stream_version, global_position, transaction_id
  ),
  checked AS (
    -- Fails the statement (and so undoes every stream it moved) unless every stream moved or held.
    SELECT 1 / (CASE WHEN (SELECT count(*) FROM moved) + (SELECT count(*) FROM unchanged) = cardinality($1::text[]) THEN 1 ELSE 0 END) AS ok
  )
  SELECT i.stream_id, max(i.stream_version)::text AS version, max(i.global_position)::text AS pos, max(i.transaction_id::text) AS tx
  FROM inserted i, checked
  WHERE checked.ok = 1
  GROUP BY i.stream_id
  UNION ALL
  SELECT u.stream_id, u.version::text, NULL, NULL FROM unchanged u, checked WHERE checked.ok = 1`;

/** A stream's result before a condition (which writes nothing) is given its caller's position. */
type Unplaced = Readonly<{ nextExpectedVersion: bigint; position: Checkpoint | null }>;

/** Conditions carry the position of their caller's append: all of it is one commit. */
function withPositions(results: readonly Unplaced[]): AppendResult[] {
  const position = results.find((r) => r.position !== null)?.position;
  if (!position) throw new Error('a multi-stream append wrote nothing');
  return results.map((r) => ({ nextExpectedVersion: r.nextExpectedVersion, position: r.position ?? position }));
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
