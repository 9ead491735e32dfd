import pg from 'pg';

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to others).
 * A dropped connection reconnects after a pause; callers keep polling meanwhile.
 */
export async function listen(
  config: pg.ClientConfig,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client(config);
    c.on('notification', (n) => onNotify(n.payload ?? ''));
    c.on('error', () => {
      if (client === c) client = null;
      void c.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void connect().catch(() => {}), 1000);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      await c.end().catch(() => {});
      if (closed) return;
      retry = setTimeout(() => void connect().catch(() => {}), 1000);
      throw err;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
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
