import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError, ConflictError, UnprocessableError } from '../errors.js';
import { REPLAYED_HEADERS, type IdempotencyStore, type StoredResponse } from '../idempotency/store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false` for a route whose answer must never be stored: one that hands out secrets (tokens).
     * Such a route ignores `Idempotency-Key`: nothing is claimed, stored or replayed.
     */
    replay?: boolean;
  }
  interface FastifyRequest {
    idempotency?: { scope: string; key: string; replayed: boolean };
  }
}

const NO_REPLAY_NOTE =
  'This answer carries secrets, so it is never stored: an `Idempotency-Key` header is ignored (no replay, no conflict); every call acts anew.';

/** Whether a route's response schemas hand out a token pair (by reference or by shape). */
function carriesTokens(response: unknown): boolean {
  const text = JSON.stringify(response ?? null);
  return text.includes('"TokenPair"') || text.includes('"refreshToken"') || text.includes('"accessToken"');
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const WAIT_STEP_MS = 50;
const WAIT_LIMIT_MS = 10_000;

type Work = { text: string } | { value: unknown };

/**
 * JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. Built with an explicit
 * stack rather than recursion: bodies are depth-checked at the edge (src/http/input-policy.ts), but
 * a hash must never be the thing a hostile nesting overflows. Same output as the recursive form.
 */
export function canonical(root: unknown): string {
  let out = '';
  const work: Work[] = [{ value: root }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ('text' in item) {
      out += item.text;
      continue;
    }
    const value = item.value;
    const next: Work[] = [];
    if (Array.isArray(value)) {
      next.push({ text: '[' });
      value.forEach((v: unknown, i) => next.push(...(i > 0 ? [{ text: ',' }] : []), { value: v }));
      next.push({ text: ']' });
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      next.push({ text: '{' });
      entries.forEach(([k, v], i) => next.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` }, { value: v }));
      next.push({ text: '}' });
    } else {
      out += JSON.stringify(value) ?? 'null';
      continue;
    }
    for (let i = next.length - 1; i >= 0; i--) work.push(next[i]!);
  }
  return out;
}

function replay(reply: FastifyReply, r: StoredResponse): FastifyReply {
  return reply.code(r.status).headers(r.headers).header('content-type', r.contentType).header('idempotent-replayed', 'true').send(r.body);
}

/**
 * `Idempotency-Key` on every state-changing route. The key is scoped to the
 * caller; the first response is stored and replayed for the same request, a
 * different request under the same key is refused, and concurrent duplicates
 * wait for the first to finish and get its response.
 */
export const idempotencyPlugin = fp<{ store: IdempotencyStore }>(
  async (app, { store }) => {
    // A route answering with tokens is kept out of replay even if its author forgot the flag, and
    // says so in its OpenAPI description. Swagger keeps the route options it saw, so this is seen there.
    app.addHook('onRoute', (route) => {
      if (route.config?.replay === undefined && carriesTokens(route.schema?.response)) route.config = { ...route.config, replay: false };
      if (route.config?.replay === false && route.schema) {
        const said = route.schema.description ? `${route.schema.description}\n\n` : '';
        route.schema.description = `${said}${NO_REPLAY_NOTE}`;
      }
    });

    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
      if (request.routeOptions.config.replay === false) return;
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
        const headers: Record<string, string> = {};
        for (const name of REPLAYED_HEADERS) {
          const value = reply.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        await store.complete(idem.scope, idem.key, { status: reply.statusCode, body, contentType, headers });
      }
      return payload;
    });
  },
  { name: 'idempotency', dependencies: ['access'] },
);
