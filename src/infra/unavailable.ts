import { UnavailableError } from '../errors.js';

/** SQLSTATEs of a session the server ended or would not start: admin/crash shutdown, cannot connect now, and class 08 (connection exceptions). */
const PG_GONE = new Set(['57P01', '57P02', '57P03']);

/** What node-postgres says when the socket under a client dies, or a dead client is used again. */
const PG_GONE_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
];

/** Socket failures, from whichever client met them. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** What ioredis says when it cannot deliver a command: retries used up, or the connection closed under it. */
const REDIS_GONE_NAMES = new Set(['MaxRetriesPerRequestError']);
const REDIS_GONE_MESSAGES = ['Connection is closed.', "Stream isn't writeable", 'Reached the max retries per request limit'];

type Failure = { code?: unknown; name?: unknown; message?: unknown; severity?: unknown };

/**
 * The one mapping of a lost dependency to what a client can act on: a 503 with
 * `database_unavailable` or `redis_unavailable` (retry later), instead of a 500.
 * Null for every other error, which keeps its own meaning.
 */
export function unavailableFor(err: unknown): UnavailableError | null {
  if (typeof err !== 'object' || err === null || err instanceof UnavailableError) return null;
  const { code, name, message } = err as Failure;
  const text = typeof message === 'string' ? message : '';
  if ((typeof name === 'string' && REDIS_GONE_NAMES.has(name)) || REDIS_GONE_MESSAGES.some((m) => text.startsWith(m))) {
    return new UnavailableError('redis_unavailable', 'Redis is unreachable; retry shortly.');
  }
  if (typeof code === 'string' && (PG_GONE.has(code) || code.startsWith('08') || SOCKET_CODES.has(code))) {
    return new UnavailableError('database_unavailable', 'The database is unreachable; retry shortly.');
  }
  if (PG_GONE_MESSAGES.some((m) => text.startsWith(m))) {
    return new UnavailableError('database_unavailable', 'The database is unreachable; retry shortly.');
  }
  return null;
}
