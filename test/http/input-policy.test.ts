import t, { type Test } from 'tap';
import { connect } from 'node:net';
import { startTestService } from '../helpers/service.js';
import { call, type Reply } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { canonical } from '../../src/http/idempotency.js';

const { app, platform } = await startTestService(t);
const manager = await signUp(app, platform.store, 'manager');
const admin = await signUp(app, platform.store, 'admin');

function isProblem(t: Test, r: Reply, status: number, code: string, label: string) {
  t.equal(r.status, status, `${label}: status ${status}`);
  t.match(String(r.headers['content-type']), /^application\/problem\+json/, `${label}: problem+json`);
  t.equal(r.body?.code, code, `${label}: code ${code}`);
}

async function eventCount(): Promise<number> {
  const { rows } = await platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  return rows[0]!.n;
}

t.test('a control character in a path id is 404, before any query', async (t) => {
  for (const url of ['/rooms/%00', '/bookings/%00', '/payments/%00', '/users/%00', '/rooms/%00/schedule?date=2026-01-01', '/rooms/a%1fb']) {
    const r = await call(app, { method: 'GET', url, headers: admin.auth });
    isProblem(t, r, 404, 'not_found', url);
  }
  const r = await call(app, { method: 'POST', url: '/rooms/%00/return-to-service', headers: manager.auth });
  isProblem(t, r, 404, 'not_found', 'command on a NUL id');
});

t.test('a control character in a query string is 422 naming the field', async (t) => {
  for (const url of [
    '/rooms?type=%00',
    '/availability?date=2026-01-01&start=20:00&durationMinutes=120&partySize=2&type=%00',
    '/bookings?roomId=%00',
    '/quote?roomId=%00&date=2026-01-01&start=20:00&durationMinutes=120',
  ]) {
    const r = await call(app, { method: 'GET', url, headers: admin.auth });
    isProblem(t, r, 422, 'validation_failed', url);
    t.ok(
      (r.body.errors as { field: string }[]).some((e) => e.field.startsWith('querystring.')),
      `${url}: names a query field (${JSON.stringify(r.body.errors)})`,
    );
  }
});

t.test('a control character or lone surrogate in a body is 422 naming the field and appends nothing', async (t) => {
  const before = await eventCount();
  const nul = await call(app, { method: 'PATCH', url: '/me', headers: manager.auth, payload: { name: 'x\u0000' } });
  isProblem(t, nul, 422, 'validation_failed', 'NUL in a name');
  t.same(nul.body.errors, [{ field: 'name', message: 'contains a control character or an invalid character' }]);

  const surrogate = await call(app, {
    method: 'PATCH',
    url: '/me',
    headers: { ...manager.auth, 'content-type': 'application/json' },
    payload: '{"name":"x\\ud800"}',
  });
  isProblem(t, surrogate, 422, 'validation_failed', 'lone surrogate in a name');

  const key = await call(app, {
    method: 'POST',
    url: '/rooms/any/out-of-service',
    headers: manager.auth,
    payload: { reason: 'broken\u0007', 'k\u0000': 1 },
  });
  isProblem(t, key, 422, 'validation_failed', 'bell in a reason, NUL in a key');
  t.equal(await eventCount(), before, 'nothing was appended');

  const freeText = await call(app, { method: 'PATCH', url: '/me', headers: manager.auth, payload: { name: 'two\tcolumns' } });
  t.equal(freeText.status, 200, 'tab stays allowed in free text');
});

t.test('a deeply nested body is refused before anything walks it, with or without an Idempotency-Key', async (t) => {
  const deep = '['.repeat(20_000) + ']'.repeat(20_000);
  for (const url of [
    '/payments/sandbox/x/complete?token=t',
    '/bookings/x/check-in',
    '/rooms/x/return-to-service',
    '/payments/wechatpay/notify',
  ]) {
    const r = await call(app, {
      method: 'POST',
      url,
      headers: { ...manager.auth, 'content-type': 'application/json', 'idempotency-key': `deep-${url}` },
      payload: deep,
    });
    t.ok(r.status >= 400 && r.status < 500, `${url}: client error (${r.status})`);
    t.match(String(r.headers['content-type']), /^application\/problem\+json/, `${url}: problem+json`);
  }
  const r = await call(app, {
    method: 'POST',
    url: '/bookings/x/check-in',
    headers: { ...manager.auth, 'content-type': 'application/json' },
    payload: JSON.stringify({ a: JSON.parse('['.repeat(40) + ']'.repeat(40)) }),
  });
  isProblem(t, r, 422, 'validation_failed', 'nesting past the limit');
  t.match(r.body.detail, /deeper than 32/);
});

t.test('the canonical hash walks without recursion and keeps its output', async (t) => {
  t.equal(canonical({ b: [1, { d: null, c: 'x' }], a: true }), '{"a":true,"b":[1,{"c":"x","d":null}]}');
  t.equal(canonical([]), '[]');
  t.equal(canonical({}), '{}');
  t.equal(canonical(undefined), 'null');
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  t.equal(canonical(deep).length, 200_001, 'a hundred thousand levels do not overflow');
});

t.test("Fastify's own errors before routing are problem+json", async (t) => {
  isProblem(t, await call(app, { method: 'GET', url: '/rooms/%c0%25ae' }), 400, 'bad_request', 'undecodable URL');
  isProblem(
    t,
    await call(app, { method: 'GET', url: `/rooms/${'a'.repeat(150)}`, headers: admin.auth }),
    414,
    'uri_too_long',
    'long param',
  );
  isProblem(
    t,
    await call(app, {
      method: 'POST',
      url: '/room-types',
      headers: { ...manager.auth, 'content-type': 'application/xml' },
      payload: '<a/>',
    }),
    415,
    'unsupported_media_type',
    'XML',
  );
  const proto = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: { ...manager.auth, 'content-type': 'application/json' },
    payload: '{"__proto__":{"x":1}}',
  });
  t.equal(proto.status, 400, '__proto__ is refused');
  t.match(String(proto.headers['content-type']), /^application\/problem\+json/);
});

t.test("what Node's HTTP parser refuses is problem+json on the socket", async (t) => {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = new URL(address);
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
      let got = '';
      socket.on('data', (d) => (got += d.toString('utf8')));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
  const long = await raw(`GET /rooms?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  t.match(long, /^HTTP\/1\.1 431 /, 'a very long URL is 431');
  t.match(long, /content-type: application\/problem\+json/i);
  t.match(long, /"code":"header_fields_too_large"/);
  const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
  t.match(garbage, /^HTTP\/1\.1 400 /, 'garbage is 400');
  t.match(garbage, /"code":"bad_request"/);
});
