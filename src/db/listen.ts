import pg from 'pg';

/** Reconnection pauses: soon after a blip, then backing off while the database stays away. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to others).
 * A dropped connection (the session terminated, the server restarted or failed
 * over) reconnects with backoff, and once listening again tells the caller
 * (an empty payload) that it may have missed notifications; callers keep
 * polling meanwhile. Resolves once the first LISTEN is in place.
 */
export async function listen(
  config: pg.ClientConfig,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  let pause = FIRST_RETRY_MS;

  const scheduleRetry = () => {
    if (closed || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect().catch(() => {});
    }, pause);
    pause = Math.min(pause * 2, MAX_RETRY_MS);
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client(config);
    let lost = false;
    c.on('notification', (n) => onNotify(n.payload ?? ''));
    // A dying connection can report more than once (the server's FATAL, then the socket closing): one retry for all.
    c.on('error', () => {
      if (lost) return;
      lost = true;
      if (client === c) client = null;
      void c.end().catch(() => {});
      scheduleRetry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      lost = true;
      await c.end().catch(() => {});
      scheduleRetry();
      throw err;
    }
    if (closed || lost) {
      await c.end().catch(() => {});
      if (lost) scheduleRetry();
      return;
    }
    client = c;
    pause = FIRST_RETRY_MS;
    // Anything sent while we were not listening is unknown: tell the caller to look.
    onNotify('');
  };
  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
