import type { EventStore } from '../eventstore/port.js';
import { sessionsStream, type SessionEvent } from '../events/users.js';

export type SessionStanding = 'open' | 'ended' | 'unknown';

const SESSIONS_STREAM_PREFIX = 'sessions-';
const MAX_REMEMBERED = 100_000;

/**
 * Whether a token's session exists and is open, as its user's `sessions-<id>`
 * stream records it. A token is only as good as the key that signed it; this
 * catches a validly signed token naming a session we never started (a leaked
 * key, a bug in issuing) or one that has ended.
 *
 * A session that started never un-starts, so an open session is remembered
 * after its first read: the stream is read once per session per process, not
 * once per request. Ends that happen later are caught by the revocation list,
 * which every end writes to (shared through Redis by all instances); this
 * process's own appends to a sessions stream also drop what it remembers of
 * that user, so a reread sees the end too.
 */
export class OpenSessions {
  private readonly remembered = new Set<string>();

  constructor(private readonly store: EventStore) {}

  /** Hook for the store's local appends. */
  appended(streamId: string): void {
    if (!streamId.startsWith(SESSIONS_STREAM_PREFIX)) return;
    const prefix = `${streamId.slice(SESSIONS_STREAM_PREFIX.length)}:`;
    for (const key of this.remembered) if (key.startsWith(prefix)) this.remembered.delete(key);
  }

  async standing(userId: string, sessionId: string): Promise<SessionStanding> {
    const key = `${userId}:${sessionId}`;
    if (this.remembered.has(key)) return 'open';
    const { events } = await this.store.readStream(sessionsStream(userId));
    let standing: SessionStanding = 'unknown';
    for (const raw of events) {
      const e = raw as unknown as SessionEvent;
      if (e.data.sessionId !== sessionId) continue;
      if (e.type === 'SessionStarted') standing = 'open';
      else if (e.type === 'SessionEnded') standing = 'ended';
    }
    if (standing === 'open') {
      if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
      this.remembered.add(key);
    }
    return standing;
  }
}
