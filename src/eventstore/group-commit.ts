/**
 * Group commit: while `maxInFlight` writes are under way, later writes wait and then go together,
 * as one statement and one commit. A quiet store writes each at once; a busy one shares the cost
 * of a round trip, a transaction and a WAL flush among everything that queued behind it.
 *
 * Writes that touch a common key (a stream) never share a batch: each still sees the other's
 * outcome, as it would alone. A batch that is refused as a whole (one of its writes conflicts) is
 * written again one write at a time, so a write's outcome never depends on its neighbours.
 */
export class GroupCommit<W, R> {
  private readonly waiting: { write: W; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly o: Readonly<{
      maxInFlight: number;
      maxBatch: number;
      keysOf: (write: W) => readonly string[];
      /** Writes all of them in one commit; null when refused as a whole (nothing written). */
      together: (writes: readonly W[]) => Promise<R[] | null>;
      alone: (write: W) => Promise<R>;
    }>,
  ) {}

  write(write: W): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.o.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  /** The oldest waiting writes, in order, skipping any that shares a key with one already taken. */
  private takeBatch(): typeof this.waiting {
    const keys = new Set<string>();
    const taken: typeof this.waiting = [];
    for (let i = 0; i < this.waiting.length && taken.length < this.o.maxBatch;) {
      const w = this.waiting[i]!;
      const own = this.o.keysOf(w.write);
      if (own.some((k) => keys.has(k))) {
        i++;
        continue;
      }
      for (const k of own) keys.add(k);
      taken.push(w);
      this.waiting.splice(i, 1);
    }
    return taken;
  }

  private async run(batch: typeof this.waiting): Promise<void> {
    if (batch.length > 1) {
      let results: R[] | null;
      try {
        results = await this.o.together(batch.map((w) => w.write));
      } catch (err) {
        for (const w of batch) w.reject(err);
        return;
      }
      if (results) {
        batch.forEach((w, i) => w.resolve(results[i]!));
        return;
      }
    }
    await Promise.all(batch.map((w) => this.o.alone(w.write).then(w.resolve, w.reject)));
  }
}
