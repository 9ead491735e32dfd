import t, { type Test } from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';

const { app, platform } = await startTestService(t, { env: { BODY_LIMIT_BYTES: '2048' } });
const { auth } = await signUp(app, platform.store, 'manager');

async function eventCount(): Promise<number> {
  const { rows } = await platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  return rows[0]!.n;
}

function isProblem(t: Test, r: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  t.equal(r.status, status, `status ${status}`);
  t.match(String(r.headers['content-type']), /^application\/problem\+json/);
  t.equal(r.body.code, code);
  t.equal(r.body.status, status);
  t.type(r.body.type, 'string');
  t.type(r.body.title, 'string');
}

t.test('bad requests of every shape are clear 4xx problems and change nothing', async (t) => {
  const before = await eventCount();

  const malformed = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"id": "small",',
  });
  isProblem(t, malformed, 400, 'malformed_json');

  const wrongType = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: { ...auth, 'content-type': 'text/plain' },
    payload: 'hello',
  });
  isProblem(t, wrongType, 415, 'unsupported_media_type');

  const huge = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: auth,
    payload: { id: 'small', name: 'x'.repeat(5000), minCapacity: 1, maxCapacity: 2 },
  });
  isProblem(t, huge, 413, 'payload_too_large');

  const unknown = await call(app, { method: 'GET', url: '/no/such/route' });
  isProblem(t, unknown, 404, 'route_not_found');

  const invalid = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: auth,
    payload: { id: 'Not A Slug', minCapacity: 0, maxCapacity: 'many', extra: 1 },
  });
  isProblem(t, invalid, 422, 'validation_failed');
  const fields = (invalid.body.errors as { field: string }[]).map((e) => e.field).sort();
  t.same(fields, ['extra', 'id', 'maxCapacity', 'minCapacity', 'name'].sort(), 'every offending field is listed');

  const emptyBody = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: '',
  });
  t.ok(emptyBody.status >= 400 && emptyBody.status < 500, `empty body is a client error (${emptyBody.status})`);

  const arrayBody = await call(app, { method: 'POST', url: '/room-types', headers: auth, payload: [1, 2, 3] });
  isProblem(t, arrayBody, 422, 'validation_failed');

  const nullBody = await call(app, {
    method: 'POST',
    url: '/rooms',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: 'null',
  });
  t.ok(nullBody.status >= 400 && nullBody.status < 500, `null body is a client error (${nullBody.status})`);

  const badKey = await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: { ...auth, 'idempotency-key': 'has spaces in it' },
    payload: { id: 'ok_type', name: 'Ok', minCapacity: 1, maxCapacity: 2 },
  });
  isProblem(t, badKey, 400, 'invalid_idempotency_key');

  t.equal(await eventCount(), before, 'no event was appended by any of them');
});

t.test('domain refusals are problems too', async (t) => {
  const unknownType = await call(app, {
    method: 'POST',
    url: '/rooms',
    headers: auth,
    payload: { name: 'X1', type: 'nosuchtype', capacity: 4 },
  });
  isProblem(t, unknownType, 422, 'unknown_room_type');
  const missingRoom = await call(app, {
    method: 'POST',
    url: '/rooms/7b7d3bb4-5a88-4d1c-8f7e-0d6b0e3f3a11/out-of-service',
    headers: auth,
    payload: { reason: 'mic' },
  });
  isProblem(t, missingRoom, 404, 'not_found');
  const notAnId = await call(app, { method: 'GET', url: '/rooms/not-an-id' });
  isProblem(t, notAnId, 404, 'not_found');
});
