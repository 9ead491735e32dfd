import { pino, type DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { trace } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';

export type Logger = FastifyBaseLogger;

/**
 * Structured logs; secrets are redacted wherever they appear in a logged object. JSON lines for
 * machines, or readable coloured lines for a person at a terminal (LOG_FORMAT, `auto` by default:
 * pretty when standard output is a terminal). Inside a traced operation every line carries its
 * `trace_id` and `span_id`, so a log search and a trace lead to each other.
 */
export function createLogger(
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logFormat'>>,
  options: { destination?: DestinationStream; terminal?: boolean } = {},
): Logger {
  const format = config.logFormat ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && (options.terminal ?? process.stdout.isTTY === true));
  const destination =
    options.destination && pretty
      ? PinoPretty({ destination: options.destination, colorize: false, sync: true })
      : pretty
        ? PinoPretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
        : options.destination;
  return pino(
    {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refreshToken', '*.accessToken'],
        censor: '[redacted]',
      },
      mixin() {
        // Without a tracing SDK there is never an active span: one cheap lookup per line.
        const span = trace.getActiveSpan();
        if (!span) return {};
        const { traceId, spanId } = span.spanContext();
        return { trace_id: traceId, span_id: spanId };
      },
    },
    destination,
  );
}
