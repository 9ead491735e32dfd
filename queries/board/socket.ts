import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { BoardFeed, BoardSubscription } from './feed.js';
import { socketFrame } from './frames.js';
import { HEARTBEAT_MS, MAX_BUFFERED_BYTES } from './sse.js';

/** Close codes a client can act on: 1008 for a message it should not have sent, 1001 when the server stops. */
const POLICY = 1008;
const GOING_AWAY = 1001;
const CHANGE_ID = /^\d{1,20}\.\d{1,6}$/;

type Subscribe = { type: 'subscribe'; lastEventId: string | null };

function subscribeMessage(data: string): Subscribe | null {
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== 'subscribe') return null;
  const id = (m as { lastEventId?: unknown }).lastEventId ?? null;
  if (id !== null && (typeof id !== 'string' || !CHANGE_ID.test(id))) return null;
  return { type: 'subscribe', lastEventId: id };
}

/**
 * The board over one WebSocket. The client sends `{"type":"subscribe"}` (with
 * `"lastEventId"` to resume), then receives `{"type":"room","id":…,"room":…}`
 * messages, the same changes with the same ids as GET /board/events. A ping
 * goes out every HEARTBEAT_MS and a client that did not answer the previous one
 * is dropped. A client that does not keep up is cut off rather than buffered
 * without bound; the id of the last message it received is its resume point.
 */
export function serveSocket(socket: WebSocket, feed: BoardFeed, streams: Set<() => void>, log: FastifyBaseLogger): void {
  let subscription: BoardSubscription | null = null;
  let answered = true;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    subscription?.close();
    streams.delete(end);
    if (socket.readyState === socket.OPEN) socket.close(GOING_AWAY, 'server closing');
  };
  const heartbeat = setInterval(() => {
    if (!answered) return socket.terminate();
    answered = false;
    socket.ping();
  }, HEARTBEAT_MS);
  socket.on('pong', () => (answered = true));
  socket.on('close', end);
  streams.add(end);

  socket.on('message', (data, isBinary) => {
    const m = isBinary || subscription ? null : subscribeMessage((data as Buffer).toString('utf8')); // ws's default binaryType: one Buffer;
    if (!m) {
      socket.close(POLICY, subscription ? 'already subscribed' : 'send {"type":"subscribe","lastEventId"?: id}');
      return;
    }
    subscription = feed.subscribe(m.lastEventId, (c, catchingUp) => {
      if (ended) return;
      // The backlog of a resuming client goes at its reading pace: cutting it off there would repeat forever.
      if (catchingUp) {
        if (socket.bufferedAmount <= MAX_BUFFERED_BYTES) return socket.send(socketFrame(c), { binary: false });
        return new Promise<void>((resolve) => socket.send(socketFrame(c), { binary: false }, () => resolve()));
      }
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.info({ unsent: c.id }, 'board socket client too slow; disconnected, it resumes from its last id');
        // A close frame would wait behind what the client is not reading.
        socket.terminate();
        end();
        return;
      }
      socket.send(socketFrame(c), { binary: false });
    });
    subscription.ready.catch((err: unknown) => {
      log.warn({ err }, 'board socket could not catch up; the client reconnects');
      end();
    });
  });
}
