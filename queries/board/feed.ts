import type { Kysely } from 'kysely';
import type { News } from '../../src/infra/news.js';
import type { ReadModels } from '../../projections/read-models.js';
import { BOARD_NEWS, inOrder } from '../../projections/board.js';
import type { BoardRoom } from '../../projections/board-tables.js';

/** One logged change of a room: `id` is what clients see and resume from, `seq` its place in the log. */
export type BoardChange = Readonly<{ seq: number; id: string; room: BoardRoom }>;

export type BoardSubscription = Readonly<{ ready: Promise<void>; close(): void }>;

const PAGE = 1000;
const CHANGE_ID = /^\d{1,20}\.\d{1,6}$/;
const bySeq = (a: BoardChange, b: BoardChange) => a.seq - b.seq;

/**
 * This instance's view of the board: the latest change of every room, kept in
 * the process (so `GET /board` reads memory), and the live subscribers it
 * passes each new change to. It reads `rm.board_changes` after the last change
 * it has seen whenever the news says the board changed (Redis pub/sub across
 * instances, or this process), and every `resyncMs` in case a message was lost.
 * The log is written by one projection batch at a time, so its sequence
 * commits in order and "after the last seen" never skips a row.
 */
export class BoardFeed {
  private readonly latest = new Map<string, BoardChange>();
  private seq = 0;
  private readonly listeners = new Set<(c: BoardChange) => void>();
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(
    private readonly db: Kysely<ReadModels>,
    private readonly news: News,
    private readonly resyncMs: number,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.news.subscribe(BOARD_NEWS, () => void this.wake());
    const rows = await this.db
      .selectFrom('board_rooms')
      .select(['room', 'change_id', 'change_seq'])
      .where('change_seq', 'is not', null)
      .execute();
    for (const r of rows) {
      if (r.room === null || r.change_id === null || r.change_seq === null) continue;
      this.latest.set(r.room.roomId, { seq: r.change_seq, id: r.change_id, room: inOrder(r.room) });
      this.seq = Math.max(this.seq, r.change_seq);
    }
    this.timer = setInterval(() => void this.wake(), this.resyncMs).unref();
    await this.read();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.unsubscribe?.();
    await this.reading;
  }

  /** Every room as last logged, by name. */
  rooms(): BoardRoom[] {
    return [...this.latest.values()].map((c) => c.room).sort((a, b) => a.name.localeCompare(b.name) || a.roomId.localeCompare(b.roomId));
  }

  /** Reads what is new now; resolves when this instance has passed it on. */
  wake(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.read().catch(() => {}); // the next wake-up or resync reads again
      } while (this.again);
    })().finally(() => (this.reading = null));
    return this.reading;
  }

  private async read(): Promise<void> {
    for (;;) {
      const rows = await this.db
        .selectFrom('board_changes')
        .select(['seq', 'id', 'room'])
        .where('seq', '>', this.seq)
        .orderBy('seq')
        .limit(PAGE)
        .execute();
      for (const row of rows) {
        const c = { ...row, room: inOrder(row.room) };
        this.latest.set(c.room.roomId, c);
        this.seq = c.seq;
        for (const listener of this.listeners) listener(c);
      }
      if (rows.length < PAGE) return;
    }
  }

  /**
   * Sends every change after `lastEventId` and then each new one, once each and
   * in order. Without an id (or with one the log does not hold) it starts with
   * the latest change of every room. `send` is never called after `close`.
   * While catching up (`catchingUp` true) `send` may return a promise to pace
   * the backlog to the client's reading; live changes wait in order meanwhile.
   */
  subscribe(lastEventId: string | null, send: (c: BoardChange, catchingUp: boolean) => void | Promise<void>): BoardSubscription {
    const upto = this.seq;
    const snapshot = [...this.latest.values()].sort(bySeq);
    let floor = upto;
    let queue: BoardChange[] | null = [];
    let open = true;
    const listener = (c: BoardChange) => {
      if (!open || c.seq <= floor) return;
      if (queue) queue.push(c);
      else void send(c, false);
    };
    this.listeners.add(listener);
    const ready = (async () => {
      const from = lastEventId !== null && CHANGE_ID.test(lastEventId) ? await this.seqOf(lastEventId) : null;
      let backlog = snapshot;
      if (from !== null) {
        // A client may come from an instance further ahead than this one: nothing up to its id again.
        floor = Math.max(from, upto);
        backlog = from < upto ? await this.between(from, upto) : [];
      }
      for (const c of backlog) if (open) await send(c, true);
      // Live changes that came while catching up, including those that came while it waited.
      for (let i = 0; queue && i < queue.length; i++) if (open && queue[i]!.seq > floor) await send(queue[i]!, true);
      queue = null;
    })();
    return {
      ready,
      close: () => {
        open = false;
        this.listeners.delete(listener);
      },
    };
  }

  /** How many subscribers this instance serves. */
  get subscribers(): number {
    return this.listeners.size;
  }

  private async seqOf(id: string): Promise<number | null> {
    const row = await this.db.selectFrom('board_changes').select('seq').where('id', '=', id).executeTakeFirst();
    return row?.seq ?? null;
  }

  private async between(after: number, upto: number): Promise<BoardChange[]> {
    const rows = await this.db
      .selectFrom('board_changes')
      .select(['seq', 'id', 'room'])
      .where('seq', '>', after)
      .where('seq', '<=', upto)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ ...r, room: inOrder(r.room) }));
  }
}
