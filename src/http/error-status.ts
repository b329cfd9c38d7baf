import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable, isUnstorableValue } from '../db/errors.js';
import { AppError, type ErrorKind } from '../errors.js';

/** The one mapping from the domain's error kinds to HTTP statuses. */
export const STATUS_OF_KIND = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  timeout: 408,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  unavailable: 503,
} as const satisfies Record<ErrorKind, ContentfulStatusCode>;

export const httpStatusOf = (err: AppError) => STATUS_OF_KIND[err.kind];

/** An error as HTTP answers it: the status, the error body's fields, the headers and how it is logged. */
export interface HttpError {
  status: ContentfulStatusCode;
  code: string;
  message: string;
  details?: unknown;
  /** seconds, sent as Retry-After */
  retryAfter?: number;
  /** the request's body may be left unread on the connection: close it rather than have the client's next request on it fail */
  closeConnection?: boolean;
  /** logged when set: a failure of the service or of the database, not the caller's */
  log?: { level: 'warn' | 'error'; message: string };
}

/**
 * Maps any error thrown while handling a request (or one line of the claims stream) to its HTTP
 * answer, without touching the request: every route (src/http/error-handler.ts) and the stream
 * (src/claims/stream.routes.ts) answer through it. Anything unexpected is a 500 without internals.
 */
export function httpErrorOf(err: unknown): HttpError {
  if (err instanceof AppError) {
    const status = httpStatusOf(err);
    return {
      status,
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
      ...(status === 503 ? { retryAfter: 1 } : {}),
      ...(status === 413 || status === 408 ? { closeConnection: true } : {}),
    };
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const malformedJson = /malformed json/i.test(err.message);
    return {
      status,
      code: status === 413 ? 'payload_too_large' : status === 400 ? 'invalid_request' : 'http_error',
      message: malformedJson ? 'The body is not valid JSON' : err.message || 'The request could not be handled',
      ...(malformedJson ? { details: [{ path: '', message: 'is not valid JSON' }] } : {}),
      ...(status === 413 || status === 408 ? { closeConnection: true } : {}),
    };
  }
  // The caller's error, not the service's; logged so that the schema which let it through can be
  // tightened. PostgreSQL's own message stays in the log: it describes the database, not the fields.
  if (isUnstorableValue(err))
    return {
      status: 400,
      code: 'invalid_request',
      message: 'The request holds a value the database cannot take (a NUL character, or a date or number out of range)',
      details: [{ path: '', message: 'holds a value the database cannot take' }],
      log: { level: 'warn', message: 'a value the database cannot take' },
    };
  // A write to a month attached read-only for an audit (migration 0032's archive_read_only): the
  // month takes writes again once it is detached after the audit.
  if ((err as { code?: unknown } | null)?.code === '25006')
    return {
      status: 503,
      code: 'month_read_only',
      message: "The claim's service month is attached read-only for an audit; retry after the audit",
      retryAfter: 3600,
      log: { level: 'warn', message: 'a write to a month attached read-only' },
    };
  if (isDatabaseUnavailable(err))
    return { status: 503, code: 'unavailable', message: 'The database is unavailable; retry later', retryAfter: 2, log: { level: 'warn', message: 'database unavailable' } };
  return { status: 500, code: 'internal', message: 'Internal error', log: { level: 'error', message: 'unhandled error' } };
}
