import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AppError, type FieldError } from '../errors.js';
import { unavailableFor } from '../infra/unavailable.js';

/** RFC 9457 problem details, with our stable `code` and, for validation, the fields. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', additionalProperties: true },
);

export const PROBLEM_TYPE_BASE = 'https://ktv.example/problems/';

type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  [extra: string]: unknown;
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own client errors, by code, with the code we publish for each. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

/** Codes by status for client errors that carry no code of Fastify's we know. */
const CODES_BY_STATUS: Record<number, string> = {
  404: 'route_not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'header_fields_too_large',
};

function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  // Extra members first: they must never replace the standard ones.
  return { ...extra, type: PROBLEM_TYPE_BASE + code, title: TITLES[status] ?? 'Error', status, code, detail };
}

/** The problem an error of ours is answered with, for answers given later than the request (a queued hold's refusal). */
export function problemFor(error: AppError): Readonly<Record<string, unknown>> {
  return problem(error.status, error.code, error.message, { ...error.detail });
}

function send(reply: FastifyReply, request: FastifyRequest, p: Problem): FastifyReply {
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send({ ...p, instance: request.url.split('?')[0] });
}

type AjvError = { instancePath?: string; params?: Record<string, unknown>; message?: string };

function fieldsOf(validation: readonly AjvError[], context: string | undefined): FieldError[] {
  return validation.map((v) => {
    const base = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const missing = typeof v.params?.missingProperty === 'string' ? v.params.missingProperty : undefined;
    const extra = typeof v.params?.additionalProperty === 'string' ? v.params.additionalProperty : undefined;
    const leaf = missing ?? extra;
    const field = [base, leaf].filter(Boolean).join('.') || (context ?? 'body');
    const message = extra ? 'is not an allowed property' : (v.message ?? 'is invalid');
    return { field: context && context !== 'body' ? `${context}.${field}` : field, message };
  });
}

function problemOf(thrown: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply): Problem {
  // A lost PostgreSQL or Redis connection becomes a 503 with a code (src/infra/unavailable.ts), not a 500.
  const error = unavailableFor(thrown) ?? thrown;
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error }, 'dependency failure');
    if (error.status === 429 && 'retryAfterSeconds' in error) reply.header('retry-after', String(error.retryAfterSeconds));
    return problem(error.status, error.code, error.message, { ...error.detail });
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    const errors = fieldsOf(fe.validation, fe.validationContext);
    return problem(422, 'validation_failed', 'The request has invalid fields.', { errors });
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = (fe.code && FASTIFY_CODES[fe.code]) ?? CODES_BY_STATUS[status] ?? 'bad_request';
    return problem(status, code, fe.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  if (status === 503) return problem(503, 'unavailable', 'The service is unavailable; retry later.');
  return problem(500, 'internal_error', 'Something went wrong on our side; it has been logged.');
}

/**
 * Fastify's `frameworkErrors`: errors raised before a route is found (a URL that does not decode,
 * a failed constraint), which never reach the error handler. Same problems as everything else.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void send(reply, request, problemOf(error, request, reply));
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (header fields or the request line
 * too large, a malformed request, a timeout) never becomes a request, so the answer is written on
 * the socket itself, as problem+json, and the connection closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'header_fields_too_large', 'The request line or headers are too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request took too long to arrive.']
        : [400, 'bad_request', 'The request could not be read as HTTP.'];
  const body = JSON.stringify(problem(status, code, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** The one place errors become HTTP: domain errors, Fastify's client errors, and everything else as a bare 500. */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => send(reply, request, problemOf(error, request, reply)));

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, problem(404, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
