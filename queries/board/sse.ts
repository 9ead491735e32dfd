import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { BoardFeed } from './feed.js';
import { sseFrame } from './frames.js';

/** A comment line this often keeps proxies and idle-connection timers from closing a quiet stream. */
export const HEARTBEAT_MS = 10_000;
/** What may wait in a connection's send buffer; beyond it the client is too slow and is disconnected. */
export const MAX_BUFFERED_BYTES = 256 * 1024;

/**
 * Streams the board to one client. A client that does not keep up is cut off
 * rather than buffered without bound: the stream ends after the last whole
 * event, whose id is the client's resume point (EventSource reconnects with it).
 */
export function serveEvents(
  reply: FastifyReply,
  feed: BoardFeed,
  lastEventId: string | null,
  streams: Set<() => void>,
  log: FastifyBaseLogger,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    subscription.close();
    streams.delete(end);
    res.end();
  };
  const subscription = feed.subscribe(lastEventId, (c, catchingUp) => {
    if (ended) return;
    // The backlog of a resuming client goes at its reading pace: cutting it off there would repeat forever.
    if (catchingUp) {
      if (res.write(sseFrame(c))) return;
      return new Promise<void>((resolve) => {
        // Whichever comes first takes the other away: a long backlog waits for many drains.
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    }
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      log.info({ unsent: c.id }, 'board stream client too slow; disconnected, it resumes from its last id');
      end();
      // What is still buffered will not be read either.
      res.destroy();
      return;
    }
    res.write(sseFrame(c));
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  streams.add(end);
  res.on('close', end);
  subscription.ready.catch((err: unknown) => {
    log.warn({ err }, 'board stream could not catch up; the client reconnects');
    end();
  });
}
