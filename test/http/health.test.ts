import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';

const { app, runner, platform } = await startTestService(t);
const { auth } = await signUp(app, platform.store, 'manager');

t.test('healthz, readyz with projection lag, metrics, openapi and docs', async (t) => {
  t.same((await call(app, { method: 'GET', url: '/healthz' })).body, { status: 'ok' });

  await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: auth,
    payload: { id: 'small', name: 'Small', minCapacity: 2, maxCapacity: 4 },
  });
  await call(app, {
    method: 'POST',
    url: '/room-types',
    headers: auth,
    payload: { id: 'small', name: 'Small', minCapacity: 2, maxCapacity: 4 },
  });
  await runner.catchUp();
  const ready = await call(app, { method: 'GET', url: '/readyz' });
  t.equal(ready.status, 200);
  t.equal(ready.body.status, 'ready');
  t.equal(ready.body.checks.eventStore.ok, true);
  t.equal(ready.body.checks.readModels.ok, true);
  const rooms = ready.body.projections.find((p: { name: string }) => p.name === 'rooms');
  t.equal(rooms.status, 'active');
  t.equal(rooms.eventsBehind, 0);

  const metrics = await call(app, { method: 'GET', url: '/metrics' });
  t.equal(metrics.status, 200);
  t.match(metrics.raw, /http_request_duration_seconds_bucket\{.*route="\/room-types"/);
  t.match(metrics.raw, /eventstore_appends_total\{stream_type="roomtype"\} 1/);
  t.match(
    metrics.raw,
    /eventstore_append_conflicts_total\{stream_type="roomtype"\} 0|eventstore_append_conflicts_total 0|^(?!.*conflicts_total\{stream_type="roomtype"\} [1-9])/m,
  );
  t.match(metrics.raw, /projection_lag_events\{projection="rooms",status="active"\} 0/);
  t.match(metrics.raw, /projection_lag_seconds/);

  const openapi = await call(app, { method: 'GET', url: '/openapi.json' });
  t.equal(openapi.status, 200);
  t.equal(openapi.body.openapi, '3.1.0');
  t.ok(openapi.body.paths['/rooms'].post, 'POST /rooms is documented');
  t.ok(openapi.body.paths['/rooms'].get.responses['200'], 'with its response schema');
  t.ok(openapi.body.components.schemas.Problem, 'and the problem schema');
  const docs = await call(app, { method: 'GET', url: '/docs/' });
  t.equal(docs.status, 200);
  t.match(docs.raw, /swagger/i);
});
