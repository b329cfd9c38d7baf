import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './env.js';
import { httpErrorOf } from './error-status.js';

export interface ErrorBody {
  error: { code: string; message: string; requestId?: string; details?: unknown };
}

/** Answers every error with the one error body (./error-status.ts); anything unexpected is a logged 500 without internals. */
export function toErrorResponse(err: unknown, c: Context<AppEnv>, logger: Logger): Response {
  const requestId = c.get('requestId');
  const e = httpErrorOf(err);
  if (e.log) logger[e.log.level]({ err, requestId }, e.log.message);
  if (e.closeConnection) c.header('Connection', 'close');
  if (e.retryAfter !== undefined) c.header('Retry-After', String(e.retryAfter));
  const body: ErrorBody = { error: { code: e.code, message: e.message, requestId, ...(e.details === undefined ? {} : { details: e.details }) } };
  return c.json(body, e.status);
}
