/**
 * A short-lived memo of slow-changing write-side state (venue settings, rate
 * cards, room facts), kept per event store so separate stores never share it.
 * A command may see such state up to `ttlMs` old; decisions that must be exact
 * (room time) never go through it.
 */
const memos = new WeakMap<object, Map<string, { at: number; value: Promise<unknown> }>>();

export function memo<T>(owner: object, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  let entries = memos.get(owner);
  if (!entries) memos.set(owner, (entries = new Map<string, { at: number; value: Promise<unknown> }>()));
  const hit = entries.get(key);
  if (hit && Date.now() - hit.at < ttlMs) return hit.value as Promise<T>;
  const value = load();
  entries.set(key, { at: Date.now(), value });
  value.catch(() => entries.delete(key));
  return value;
}

/** Drops a memo at once, for the process that just changed the state behind it. */
export function forget(owner: object, key: string): void {
  memos.get(owner)?.delete(key);
}
