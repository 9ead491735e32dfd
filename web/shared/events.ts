import { refreshed, session } from './auth.js';

export type StreamStatus = 'connecting' | 'live' | 'offline';

/**
 * Server-Sent Events over fetch, because EventSource cannot send the
 * Authorization header. Reconnects after a drop with the last id seen, so the
 * server sends what was missed and nothing twice. Returns a function that stops it.
 */
export function subscribe(path: string, onEvent: (event: string, data: string) => void, onStatus: (s: StreamStatus) => void): () => void {
  let lastId: string | null = null;
  let stopped = false;
  const controller = new AbortController();

  const readOnce = async () => {
    const s = session();
    const res = await fetch(path, {
      headers: {
        accept: 'text/event-stream',
        ...(s ? { authorization: `Bearer ${s.accessToken}` } : {}),
        ...(lastId ? { 'last-event-id': lastId } : {}),
      },
      signal: controller.signal,
    });
    if (res.status === 401 && (await refreshed())) return;
    if (!res.ok || !res.body) throw new Error(String(res.status));
    onStatus('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = 'message';
        let data = '';
        let id: string | null = null;
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
          else if (line.startsWith('id: ')) id = line.slice(4);
        }
        if (data) {
          if (id !== null) lastId = id;
          onEvent(event, data);
        }
      }
    }
  };

  void (async () => {
    while (!stopped) {
      onStatus('connecting');
      try {
        await readOnce();
      } catch {
        if (stopped) return;
        onStatus('offline');
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return () => {
    stopped = true;
    controller.abort();
  };
}
