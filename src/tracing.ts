import { ROOT_CONTEXT, context, propagation, trace, type Link } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The service's own spans (projection batches); the instrumentations name theirs. */
export const tracer = trace.getTracer('ktv-backend');

/** Set once the SDK runs, so work done only for tracing is skipped when it is off. */
let started = false;

/**
 * OpenTelemetry tracing, off unless the standard variables ask for it: an exporter named in
 * OTEL_TRACES_EXPORTER (`none` turns it off) or an OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, and OTEL_SDK_DISABLED not `true`. When off, no OpenTelemetry
 * SDK code is loaded at all; the API's calls elsewhere are no-ops.
 */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export type Tracing = { shutdown(): Promise<void> };

/**
 * Starts the SDK with the instrumentations for HTTP (in and out), Fastify's routes and hooks,
 * PostgreSQL and Redis. Must run before those modules are loaded, so `src/root/tracing.ts` does
 * it first of all. `spanProcessors` replaces the exporter chosen by the OTEL_* variables (tests
 * pass an in-memory one).
 */
export async function startTracing(options: { spanProcessors?: SpanProcessor[] } = {}): Promise<Tracing> {
  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }, { IORedisInstrumentation }, { FastifyOtelInstrumentation }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-pg'),
      import('@opentelemetry/instrumentation-ioredis'),
      import('@fastify/otel'),
    ]);
  const sdk = new NodeSDK({
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    instrumentations: [
      new HttpInstrumentation(),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  started = true;
  return { shutdown: () => sdk.shutdown() };
}

/** The W3C trace context (`traceparent`, `tracestate`) of the operation under way, for an event's metadata. */
export function currentTraceContext(): { traceparent?: string; tracestate?: string } {
  if (!started || !trace.getActiveSpan()) return {};
  const carrier: { traceparent?: string; tracestate?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Links to the operations that appended these events (those that recorded a trace context), at most `max`. */
export function linksTo(metadata: readonly { traceparent?: string; tracestate?: string }[], max = 128): Link[] {
  if (!started) return [];
  const links: Link[] = [];
  for (const m of metadata) {
    if (links.length >= max) break;
    if (!m.traceparent) continue;
    const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, m));
    if (spanContext) links.push({ context: spanContext });
  }
  return links;
}
