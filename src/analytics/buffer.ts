import type { Kysely } from 'kysely';
import type { PlatformDatabase } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { recordAnalytics, type AnalyticsEvent } from './events.js';

/**
 * Analytics rows from hot paths (every availability search), written in
 * batches off the request: at most `flushMs` late, or at once when `maxRows`
 * are waiting. Best effort by design: a failed batch is logged and dropped,
 * never retried into the request path, and a crash loses at most one batch.
 */
export class AnalyticsBuffer {
  private rows: AnalyticsEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<PlatformDatabase>,
    private readonly logger: Logger,
    private readonly flushMs = 1000,
    private readonly maxRows = 200,
  ) {}

  add(event: AnalyticsEvent): void {
    this.rows.push(event);
    if (this.rows.length >= this.maxRows) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what is waiting; resolves when every batch so far is written (or dropped). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.rows;
    this.rows = [];
    if (batch.length > 0) {
      this.writing = this.writing.then(() =>
        recordAnalytics(this.db, batch).catch((err: unknown) => this.logger.warn({ err, rows: batch.length }, 'analytics batch dropped')),
      );
    }
    await this.writing;
  }
}
