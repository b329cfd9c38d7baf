import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { AppEnv } from './env.js';
import { AppError } from './errors.js';

export interface ErrorBody {
  error: { code: string; message: string; requestId?: string; details?: unknown };
}

/** Maps every error to the one error body; anything unexpected is a logged 500 without internals. */
export function toErrorResponse(err: unknown, c: Context<AppEnv>, logger: Logger): Response {
  const requestId = c.get('requestId');
  const body = (code: string, message: string, details?: unknown): ErrorBody => ({
    error: { code, message, requestId, ...(details === undefined ? {} : { details }) },
  });
  // A body refused as too large, or as too slow, is left unread on the connection: close it rather
  // than have the client's next request on it fail when the server gives up draining.
  if ((err instanceof AppError || err instanceof HTTPException) && (err.status === 413 || err.status === 408)) c.header('Connection', 'close');
  if (err instanceof AppError) {
    if (err.status === 503) c.header('Retry-After', '1');
    return c.json(body(err.code, err.message, err.details), err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? 'payload_too_large' : status === 400 ? 'invalid_request' : 'http_error';
    const message = /malformed json/i.test(err.message)
      ? 'The body is not valid JSON'
      : err.message || 'The request could not be handled';
    const details = /malformed json/i.test(err.message) ? [{ path: '', message: 'is not valid JSON' }] : undefined;
    return c.json(body(code, message, details), status);
  }
  // A value PostgreSQL cannot store or read (U+0000 in text or jsonb, a date or number out of its
  // range) that no schema caught: the caller's error, not the service's (found by
  // test/fuzz-endpoints.test.ts as 500s). Logged, so the schema can be tightened; PostgreSQL's own
  // message stays in the log (it describes the database, not the request's fields).
  const pgCode = (err as { code?: unknown } | null)?.code;
  if (typeof pgCode === 'string' && DATA_EXCEPTIONS.has(pgCode)) {
    logger.warn({ err, requestId }, 'a value the database cannot take');
    return c.json(body('invalid_request', 'The request holds a value the database cannot take (a NUL character, or a date or number out of range)', [{ path: '', message: 'holds a value the database cannot take' }]), 400);
  }
  if (isDatabaseUnavailable(err)) {
    c.header('Retry-After', '2');
    logger.warn({ err, requestId }, 'database unavailable');
    return c.json(body('unavailable', 'The database is unavailable; retry later'), 503);
  }
  logger.error({ err, requestId }, 'unhandled error');
  return c.json(body('internal', 'Internal error'), 500);
}

// The socket failing under the driver (EPIPE: a write to a connection PostgreSQL has just closed),
// the driver's own connection errors, PostgreSQL shutting down or out of connections (57P0x,
// 53300), a statement cancelled by statement_timeout (57014) and the connection-exception class (08xxx).
const DATA_EXCEPTIONS = new Set(['22021', '22P05', '22008', '22007', '22003']);

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'QUERY_DEADLINE', '57P01', '57P02', '57P03', '57014', '53300']);

export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  // the embedded database, once closed, answers nothing: it is unavailable, not broken
  return err instanceof Error && err.message === 'PGlite is closed';
}
