import { randomId, session, signOut, refreshed } from './auth.js';

/** An error answer of the API (RFC 9457 problem+json). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function problemOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string };
  return new ApiError(res.status, body.code ?? 'error', body.detail ?? body.title ?? res.statusText);
}

/**
 * Calls the API with the signed-in user's token; an expired access token is
 * refreshed once and the call repeated. Every command carries an
 * Idempotency-Key, so a retried click never applies twice.
 */
export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const idempotencyKey = randomId();
  const send = () =>
    fetch(path, {
      method,
      headers: {
        ...(session() ? { authorization: `Bearer ${session()!.accessToken}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(method === 'POST' ? { 'idempotency-key': idempotencyKey } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  let res = await send();
  if (res.status === 401 && session() && (await refreshed())) res = await send();
  if (res.status === 401) signOut();
  if (!res.ok) throw await problemOf(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}
