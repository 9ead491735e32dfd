import { WebSocket } from 'ws';

export type BoardMessage = { type: string; id: string; room: { roomId: string; state: string } & Record<string, unknown> };

/** A board WebSocket client over a real socket: the upgrade's outcome, every message as parsed and raw, and how it closed. */
export type BoardSocket = {
  readonly status: number;
  readonly messages: BoardMessage[];
  readonly raw: string[];
  readonly closed: () => { code: number; reason: string } | null;
  readonly socket: WebSocket;
  close(): void;
};

/** Opens `url` (ws://…) with `headers`; resolves once upgraded (status 101) or refused (the HTTP status). */
export function openSocket(url: string, headers: Record<string, string>): Promise<BoardSocket> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    const messages: BoardMessage[] = [];
    const raw: string[] = [];
    let closed: { code: number; reason: string } | null = null;
    const result = (status: number): BoardSocket => ({
      status,
      messages,
      raw,
      closed: () => closed,
      socket,
      close: () => socket.terminate(),
    });
    socket.on('message', (data) => {
      const text = (data as Buffer).toString('utf8'); // ws's default binaryType: one Buffer
      raw.push(text);
      messages.push(JSON.parse(text) as BoardMessage);
    });
    socket.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
    socket.on('open', () => resolve(result(101)));
    socket.on('unexpected-response', (_req, res) => {
      resolve(result(res.statusCode ?? 0));
      socket.terminate();
    });
    socket.on('error', () => {});
  });
}
