import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError, type FieldError } from '../errors.js';

/**
 * Characters no string we accept may hold. PostgreSQL refuses NUL in `text` ("invalid byte
 * sequence 0x00") and NUL or a lone surrogate in `jsonb` ("unsupported Unicode escape sequence"),
 * so such a string would otherwise fail deep inside a query or an append, as a 500. The other
 * C0 controls and DEL have no business in ids, names or notes either. Free text (request bodies)
 * keeps tab, LF and CR; path and query parameters are identifiers, dates and filters, and keep none.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is what these are for
const FORBIDDEN_IN_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\p{Cs}]/u;
// eslint-disable-next-line no-control-regex -- as above
const FORBIDDEN_IN_PARAMETER = /[\x00-\x1f\x7f\p{Cs}]/u;

/** Past this many problems the caller has enough to go on; the walk stops collecting. */
const MAX_REPORTED = 20;

export type InputPolicyOptions = Readonly<{ maxDepth: number }>;

type Finding = { fields: FieldError[]; tooDeep: boolean };

/**
 * Walks a parsed value without recursion (a hostile body may nest thousands of levels), checking
 * every string and every object key, and stops descending past `maxDepth`.
 */
export function inspect(root: unknown, pattern: RegExp, maxDepth: number, prefix: string): Finding {
  const fields: FieldError[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: root, path: prefix, depth: 0 }];
  const fieldOf = (path: string) => path || 'body';
  while (pending.length > 0 && fields.length < MAX_REPORTED) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (pattern.test(value)) fields.push({ field: fieldOf(path), message: 'contains a control character or an invalid character' });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return { fields: [{ field: fieldOf(path), message: `nests deeper than ${maxDepth} levels` }], tooDeep: true };
    const join = (key: string) => (path ? `${path}.${key}` : key);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], path: join(String(i)), depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (pattern.test(key)) {
        fields.push({ field: fieldOf(path), message: 'has a property name with a control character or an invalid character' });
        continue;
      }
      pending.push({ value: child, path: join(key), depth: depth + 1 });
    }
  }
  return { fields, tooDeep: false };
}

function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * The text policy at the edge, once for every route (with or without schemas): before validation,
 * so before any handler, query, append or idempotency hash sees the input. A path id that breaks it
 * names nothing that can exist (404); a query or body field that breaks it is a 422 naming the field;
 * a body nested deeper than `maxDepth` is a 422 before anything recursive walks it.
 */
export const inputPolicyPlugin = fp<InputPolicyOptions>(
  async (app, { maxDepth }) => {
    app.addHook('preValidation', async (request: FastifyRequest) => {
      const params = (request.params ?? {}) as Record<string, unknown>;
      for (const value of Object.values(params)) {
        if (typeof value === 'string' && FORBIDDEN_IN_PARAMETER.test(value)) throw new NotFoundError('resource', printable(value));
      }
      const query = inspect(request.query, FORBIDDEN_IN_PARAMETER, 4, 'querystring');
      if (query.fields.length > 0) throw new ValidationError(query.fields);
      const body = inspect(request.body, FORBIDDEN_IN_TEXT, maxDepth, '');
      if (body.tooDeep) throw new ValidationError(body.fields, `The request body nests deeper than ${maxDepth} levels.`);
      if (body.fields.length > 0) throw new ValidationError(body.fields);
    });
  },
  { name: 'input-policy' },
);
