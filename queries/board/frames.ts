import type { BoardChange } from './feed.js';

/**
 * Each change as the bytes each kind of client is sent, made once per change
 * and shared by every subscriber: the feed hands the same change object to all
 * of them, so with 1,000 subscribers a change is serialised once, not 1,000 times.
 */
const sse = new WeakMap<BoardChange, Buffer>();
const socket = new WeakMap<BoardChange, Buffer>();

function once(cache: WeakMap<BoardChange, Buffer>, c: BoardChange, text: () => string): Buffer {
  let bytes = cache.get(c);
  if (!bytes) cache.set(c, (bytes = Buffer.from(text())));
  return bytes;
}

/** A Server-Sent Event: `id`, `event: room`, and the room as GET /board shows it. */
export const sseFrame = (c: BoardChange) => once(sse, c, () => `id: ${c.id}\nevent: room\ndata: ${JSON.stringify(c.room)}\n\n`);

/** A WebSocket text message: `{"type":"room","id":…,"room":…}`. */
export const socketFrame = (c: BoardChange) =>
  once(socket, c, () => `{"type":"room","id":${JSON.stringify(c.id)},"room":${JSON.stringify(c.room)}}`);
