import t from 'tap';
import { Writable } from 'node:stream';
import { tracing } from '@opentelemetry/sdk-node';
import { SpanKind } from '@opentelemetry/api';
import { startTracing, tracer, tracingWanted } from '../../src/tracing.js';

/**
 * Tracing with an in-memory exporter: the SDK starts before the service's modules load (as
 * src/root/main.ts does), then a hold is sent over real HTTP and the projections catch up.
 */
const exporter = new tracing.InMemorySpanExporter();
const started = await startTracing({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
t.teardown(() => started.shutdown());
const { startTestService } = await import('../helpers/service.js');
const { dayEndFarFromNow, setUpVenue } = await import('../helpers/venue.js');
const { signUp } = await import('../helpers/auth.js');
const { createLogger } = await import('../../src/logger.js');

type Span = tracing.ReadableSpan;
const idOf = (s: Span) => s.spanContext().spanId;
const parentOf = (s: Span) => s.parentSpanContext?.spanId;

/** The tree under `root` as indented lines: what a trace viewer shows. */
function tree(spans: readonly Span[], root: Span, depth = 0): string[] {
  const children = spans.filter((s) => parentOf(s) === idOf(root)).sort((a, b) => Number(a.startTime[1]) - Number(b.startTime[1]));
  return [`${'  '.repeat(depth)}${root.name}`, ...children.flatMap((c) => tree(spans, c, depth + 1))];
}

t.test('tracing is off unless the OTEL_* variables ask for it', async (t) => {
  t.notOk(tracingWanted({}), 'nothing set: off');
  t.ok(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), 'an OTLP endpoint: on');
  t.ok(tracingWanted({ OTEL_TRACES_EXPORTER: 'otlp' }), 'an exporter named: on');
  t.notOk(tracingWanted({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), 'exporter none: off');
  t.notOk(tracingWanted({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }), 'SDK disabled: off');
});

t.test('a hold: HTTP, Fastify, PostgreSQL and Redis spans in one tree, and the projection linked to it', async (t) => {
  const { app, platform, runner } = await startTestService(t, { redis: true });
  const venue = await setUpVenue(app, platform, dayEndFarFromNow());
  const guest = await signUp(app, platform.store, 'guest');
  await runner.catchUp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  exporter.reset();

  const start = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000).toISOString();
  const res = await fetch(`http://127.0.0.1:${port}/bookings`, {
    method: 'POST',
    headers: { ...guest.auth, 'content-type': 'application/json', 'idempotency-key': 'trace-test-hold-1' },
    body: JSON.stringify({ roomId: venue.rooms.small[0], start, durationMinutes: 60, partySize: 2 }),
  });
  t.equal(res.status, 201);
  const { id } = (await res.json()) as { id: string };

  const spans = exporter.getFinishedSpans();
  const server = spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/bookings');
  t.ok(server, 'the HTTP server span of POST /bookings');
  const traceId = server!.spanContext().traceId;
  const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
  const lines = tree(inTrace, server!);
  t.comment(`the span tree of a hold:\n${lines.join('\n')}`);
  t.ok(
    inTrace.some((s) => s.name === 'request'),
    'Fastify’s request span',
  );
  t.ok(
    inTrace.some((s) => s.name.startsWith('handler - ')),
    'the route handler',
  );
  t.ok(
    inTrace.some(
      (s) =>
        s.name.startsWith('pg.query') &&
        String(s.attributes['db.statement'] ?? s.attributes['db.query.text']).includes('INSERT INTO events'),
    ),
    'the append to the event store, in PostgreSQL',
  );
  t.ok(
    inTrace.some((s) => s.instrumentationScope.name.includes('ioredis')),
    'Redis calls (idempotency, rate limit)',
  );
  t.equal(lines.length, inTrace.length, 'every span of the trace hangs under the server span');

  const { events } = await platform.store.readStream(`booking-${id}`);
  t.match(events[0]?.metadata.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`), 'the event carries the trace context');

  exporter.reset();
  await runner.catchUp();
  const projecting = exporter.getFinishedSpans().filter((s) => s.name.startsWith('project '));
  t.ok(projecting.length > 0, `projection batches traced: ${projecting.map((s) => s.name).join(', ')}`);
  const linked = projecting.filter((s) => s.links.some((l) => l.context.traceId === traceId));
  t.ok(linked.length > 0, `linked to the hold's trace: ${linked.map((s) => s.name).join(', ')}`);
  const applied = exporter.getFinishedSpans().filter((s) => parentOf(s) === idOf(linked[0]!));
  t.ok(
    applied.some((s) => s.name.startsWith('pg')),
    'its PostgreSQL work is inside it',
  );
});

t.test('every log line inside a traced operation carries its trace id', async (t) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, { destination });
  const ids = tracer.startActiveSpan('work', (span) => {
    logger.info('inside');
    span.end();
    return span.spanContext();
  });
  logger.info('outside');
  const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(inside?.trace_id, ids.traceId);
  t.equal(inside?.span_id, ids.spanId);
  t.notOk(outside && 'trace_id' in outside, 'none outside');
});
