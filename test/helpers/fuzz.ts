import fc from 'fast-check';
import type { InjectOptions } from 'fastify';

/** A JSON Schema as @fastify/swagger prints it: only the parts the arbitraries read. */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
};
export type OpenApi = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };
export type Endpoint = { method: string; path: string; operation: Operation };

/** Every operation of the document, as method and path template. */
export function endpointsOf(doc: OpenApi): Endpoint[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      // A stream never ends, so inject cannot wait for it; test/queries/board-events.test.ts drives it over a socket.
      .filter(([, operation]) => !JSON.stringify(operation.responses ?? {}).includes('text/event-stream'))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}

const CONTROL = fc.constantFrom('\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0008', '\n', '\r', '\t', '\ud800', '\udfff');

/** Strings a client should never send and the service must refuse cleanly. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 8 }), CONTROL, fc.string({ maxLength: 8 })).map(([a, c, b]) => a + c + b),
  fc.constantFrom('', ' ', '__proto__', 'constructor', '../../etc/passwd', "'; DROP TABLE events; --", '%00', '\u202e', '😀', '２０２６'),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Values of the wrong kind, or hostile in size and shape. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, [], {}),
  fc.integer({ min: 33, max: 3_000 }).map((depth) => nested(depth)),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.constant(JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}') as unknown),
);

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

function resolve(schema: Schema, doc: OpenApi): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.split('/').pop() ?? '';
  return doc.components?.schemas?.[name] ?? {};
}

/** A value that fits `schema` (mostly), with hostile values mixed in at every level. */
export function arbitraryOf(schema: Schema | undefined, doc: OpenApi, depth = 0): fc.Arbitrary<unknown> {
  const fitting = fittingOf(resolve(schema ?? {}, doc), doc, depth);
  return fc.oneof({ arbitrary: fitting, weight: 4 }, { arbitrary: hostileValue, weight: 1 });
}

function fittingOf(s: Schema, doc: OpenApi, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const options = s.anyOf ?? s.oneOf;
  if (options?.length) return fc.oneof(...options.map((o) => arbitraryOf(o, doc, depth + 1)));
  if (s.allOf?.length) return arbitraryOf(s.allOf[0], doc, depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 4 ? fc.constant([]) : fc.array(arbitraryOf(s.items, doc, depth + 1), { maxLength: 4 });
    case 'object': {
      if (depth > 4 || !s.properties) return fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
      const required = new Set(s.required ?? []);
      const fields = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, arbitraryOf(v, doc, depth + 1)]));
      return fc.record(fields, { requiredKeys: [...required].filter((k) => k in fields) });
    }
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

function stringOf(s: Schema): fc.Arbitrary<string> {
  const plausible: Record<string, fc.Arbitrary<string>> = {
    date: fc
      .date({ min: new Date('2025-01-01'), max: new Date('2027-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    'date-time': fc.date({ min: new Date('2025-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }).map((d) => d.toISOString()),
    email: fc.emailAddress(),
    uuid: fc.uuid(),
  };
  const byFormat = s.format ? plausible[s.format] : undefined;
  const free = fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 24, 24) });
  const time = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  return byFormat
    ? fc.oneof({ arbitrary: byFormat, weight: 3 }, free)
    : fc.oneof(free, time, fc.constantFrom('small', 'room-1', 'r1', 'CNY', 'wechatpay'));
}

/** A value as a query or path text: strings as they are, anything else as its JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** Percent-encoding as a client would; a lone surrogate (which has no UTF-8) goes as the bytes a lax encoder would send. */
function encode(value: string): string {
  return value
    .split(/(\p{Cs})/u)
    .map((part) => (/^\p{Cs}$/u.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

/** Path segments written as a client might, hostile escapes included. */
const hostileSegment = fc.constantFrom(
  '%00',
  '%c0%ae',
  '%ff',
  '%',
  '%2e%2e',
  'a%0ab',
  '%e2%80%ae',
  'x'.repeat(150),
  '..',
  '%25',
  '%ed%a0%80',
);

export type Identity = { name: string; headers: Record<string, string> };

/** One request against one operation, as one identity. */
export function requestOf(
  endpoint: Endpoint,
  doc: OpenApi,
  identities: readonly Identity[],
): fc.Arbitrary<InjectOptions & { label: string }> {
  const params = endpoint.operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = endpoint.operation.requestBody?.content?.['application/json']?.schema;

  const pathArb = fc.tuple(
    ...pathParams.map((p) =>
      fc.oneof(
        { arbitrary: arbitraryOf(p.schema, doc).map((v) => encode(asText(v))), weight: 3 },
        { arbitrary: hostileSegment, weight: 1 },
      ),
    ),
  );
  const queryArb = fc.tuple(
    fc.tuple(...queryParams.map((p) => fc.option(arbitraryOf(p.schema, doc), { nil: undefined, freq: 3 }))),
    fc.option(fc.constantFrom('&x=%00', '&type=%ff%fe', '&date=%', `&q=${'y'.repeat(5000)}`, '&a[b]=1', '&__proto__=1'), {
      freq: 4,
      nil: '',
    }),
  );
  const bodyArb = fc.oneof(
    { arbitrary: arbitraryOf(bodySchema, doc).map((v) => ({ payload: JSON.stringify(v) ?? 'null', type: 'application/json' })), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        { payload: '{"a":', type: 'application/json' },
        { payload: '', type: 'application/json' },
        { payload: '['.repeat(5_000) + ']'.repeat(5_000), type: 'application/json' },
        { payload: '{"__proto__":{"x":1}}', type: 'application/json' },
        { payload: '{"a":"\\u0000"}', type: 'application/json' },
        { payload: '{"a":"\\ud800"}', type: 'application/json' },
        { payload: 'hello', type: 'text/plain' },
        { payload: '<a/>', type: 'application/xml' },
        { payload: 'a,b\n1,2', type: 'text/csv' },
        { payload: '--x\r\n\r\n--x--', type: 'multipart/form-data; boundary=x' },
        { payload: '{}', type: 'application/json; charset=latin1' },
      ),
      weight: 2,
    },
  );
  return fc
    .record({
      segments: pathArb,
      query: queryArb,
      body: bodyArb,
      identity: fc.constantFrom(...identities),
      idempotencyKey: fc.option(fc.constantFrom('k1', 'k2', 'fuzz-key'), { freq: 2, nil: undefined }),
    })
    .map(({ segments, query: [values, extra], body, identity, idempotencyKey }) => {
      let i = 0;
      const path = endpoint.path.replace(/\{[^}]+\}/g, () => segments[i++] ?? 'x');
      const search = queryParams
        .map((p, j) => (values[j] === undefined ? '' : `${encodeURIComponent(p.name)}=${encode(asText(values[j]))}`))
        .filter(Boolean)
        .join('&');
      const url = `${path}?${search}${extra}`;
      const hasBody = endpoint.method !== 'GET' && endpoint.method !== 'DELETE';
      const headers: Record<string, string> = { ...identity.headers };
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      if (hasBody) headers['content-type'] = body.type;
      return {
        label: `${identity.name} ${endpoint.method} ${url.slice(0, 200)}`,
        method: endpoint.method,
        url,
        headers,
        ...(hasBody ? { payload: body.payload } : {}),
      };
    });
}
