import http from 'node:http';

export type ServerSentEvent = { id: string | null; event: string | null; data: string };

/** A Server-Sent Events client over a real socket: every event as parsed, and the raw text (comments included). */
export type EventStream = {
  readonly status: number;
  readonly events: ServerSentEvent[];
  readonly raw: () => string;
  readonly ended: () => boolean;
  /** Stops reading (a slow client), and reads again. */
  pause(): void;
  resume(): void;
  close(): void;
};

export function openEvents(url: string, headers: Record<string, string>): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    // A connection of its own each time: a stream is never handed back to a keep-alive pool.
    const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: ServerSentEvent[] = [];
      let raw = '';
      let pending = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        pending += chunk;
        let cut: number;
        while ((cut = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, cut);
          pending = pending.slice(cut + 2);
          const e: ServerSentEvent = { id: null, event: null, data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) {
              e.data += line.slice(6);
              hasData = true;
            }
          }
          if (hasData) events.push(e);
        }
      });
      res.on('close', () => (ended = true));
      resolve({
        status: res.statusCode ?? 0,
        events,
        raw: () => raw,
        ended: () => ended,
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
