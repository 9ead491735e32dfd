import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError, ConflictError, UnprocessableError } from '../errors.js';
import type { IdempotencyStore } from '../idempotency/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string; replayed: boolean };
  }
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const WAIT_STEP_MS = 50;
const WAIT_LIMIT_MS = 10_000;

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function replay(reply: FastifyReply, r: { status: number; body: string; contentType: string }): FastifyReply {
  return reply.code(r.status).header('content-type', r.contentType).header('idempotent-replayed', 'true').send(r.body);
}

/**
 * `Idempotency-Key` on every state-changing route. The key is scoped to the
 * caller; the first response is stored and replayed for the same request, a
 * different request under the same key is refused, and concurrent duplicates
 * wait for the first to finish and get its response.
 */
export const idempotencyPlugin = fp<{ store: IdempotencyStore }>(
  async (app, { store }) => {
    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
      const key = request.headers['idempotency-key'];
      if (key === undefined) return;
      if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
        throw new BadRequestError('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
      }
      const scope = request.principal?.userId ?? 'anonymous';
      const hash = createHash('sha256')
        .update(`${request.method} ${request.url}\n${canonical(request.body ?? null)}`)
        .digest('base64url');
      const deadline = Date.now() + WAIT_LIMIT_MS;
      for (;;) {
        const claim = await store.claim(scope, key, hash);
        switch (claim.kind) {
          case 'claimed':
            request.idempotency = { scope, key, replayed: false };
            return;
          case 'done':
            request.idempotency = { scope, key, replayed: true };
            return replay(reply, claim.response);
          case 'mismatch':
            throw new UnprocessableError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
          case 'pending':
            if (Date.now() > deadline) {
              throw new ConflictError('idempotency_key_in_progress', 'A request with this Idempotency-Key is still being processed.');
            }
            await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
            break;
          default: {
            const never: never = claim;
            throw new Error(`unknown claim ${String(never)}`);
          }
        }
      }
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const idem = request.idempotency;
      if (!idem || idem.replayed) return payload;
      if (reply.statusCode >= 500) {
        await store.release(idem.scope, idem.key);
      } else {
        const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
        const contentType = String(reply.getHeader('content-type') ?? 'application/json');
        await store.complete(idem.scope, idem.key, { status: reply.statusCode, body, contentType });
      }
      return payload;
    });
  },
  { name: 'idempotency', dependencies: ['access'] },
);
