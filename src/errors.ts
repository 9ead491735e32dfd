/**
 * The one error hierarchy of the service. Domain code throws these; only the root
 * error handler (src/http/problem.ts) turns them into RFC 9457 problem+json.
 */
export type FieldError = Readonly<{ field: string; message: string }>;

export abstract class AppError extends Error {
  abstract readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    readonly detail: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request cannot be read at all (malformed JSON, bad header). */
export class BadRequestError extends AppError {
  readonly status = 400;
}

/** 422 with the offending fields listed. */
export class ValidationError extends AppError {
  readonly status = 422;
  constructor(
    readonly fields: readonly FieldError[],
    message = 'The request has invalid fields.',
  ) {
    super('validation_failed', message, { errors: fields });
  }
}

/** 422: well-formed, but the domain refuses it (capacity, opening hours, reused key...). */
export class UnprocessableError extends AppError {
  readonly status = 422;
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  constructor(message = 'You do not have permission for this.', code = 'forbidden') {
    super(code, message);
  }
}

/** 404 for unknown resources and for resources the caller may not see. */
export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} was not found.`, { resource: what, id });
  }
}

/** 409: the resource's state does not allow the command (slot taken, wrong status...). */
export class ConflictError extends AppError {
  readonly status = 409;
}

export class TooManyRequestsError extends AppError {
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 'Too many requests; retry later.', { retryAfter: retryAfterSeconds });
  }
}

/** 503: a dependency is down; retrying later may work. */
export class UnavailableError extends AppError {
  readonly status = 503;
}
