/** A stored first response, replayed byte for byte. */
/** A first answer as it is replayed: its status, body, media type and the headers it decided (see REPLAYED_HEADERS). */
export type StoredResponse = Readonly<{ status: number; body: string; contentType: string; headers: Readonly<Record<string, string>> }>;

/** Headers that belong to the first answer (where its events are in the feed, where to look next), so a replay carries them too. */
export const REPLAYED_HEADERS = ['event-position', 'location'] as const;

export type Claim = { kind: 'claimed' } | { kind: 'done'; response: StoredResponse } | { kind: 'pending' } | { kind: 'mismatch' };

/**
 * Where idempotency keys live: PostgreSQL by default, Redis when configured.
 * `claim` is atomic: of many concurrent callers with one key, exactly one gets
 * `claimed` and runs the command; the others see `pending` until it completes.
 */
export interface IdempotencyStore {
  claim(scope: string, key: string, requestHash: string): Promise<Claim>;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Forgets a claim whose command failed on our side, so the client may retry. */
  release(scope: string, key: string): Promise<void>;
}

/** How long a first response is kept for replay. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;
/** A claim older than this with no response belongs to a crashed request and may be taken over. */
export const ABANDONED_MS = 60 * 1000;
