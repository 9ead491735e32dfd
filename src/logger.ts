import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';

export type Logger = FastifyBaseLogger;

/** Structured JSON logs; secrets are redacted wherever they appear in a logged object. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refreshToken', '*.accessToken'],
      censor: '[redacted]',
    },
  });
}
