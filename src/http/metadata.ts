import type { FastifyRequest } from 'fastify';
import type { EventMetadata } from '../eventstore/port.js';

/** What every event appended for a request records about where it came from. */
export function metadataOf(request: FastifyRequest): EventMetadata {
  const key = request.headers['idempotency-key'];
  return {
    correlationId: request.id,
    actor: request.principal?.userId ?? 'anonymous',
    ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
  };
}
