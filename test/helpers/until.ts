import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for something that happens asynchronously (a NOTIFY delivered, a
 * projection caught up, a server answering) by asking `check` again and again,
 * instead of sleeping a fixed time and hoping it was long enough. The deadline
 * is generous on purpose: it only bounds how long a real failure takes to show;
 * a passing run returns as soon as the condition holds, however busy the host.
 *
 * Resolves with the first truthy answer; on the deadline it resolves with the
 * last (falsy) answer, so the caller's own assertion reports what was seen.
 */
export async function until<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer || performance.now() >= deadline) return answer;
    await sleep(intervalMs);
  }
}
