/**
 * Database failures the callers tell apart from bugs: the database unavailable (retry later) and
 * a value it cannot store (the caller's input at fault).
 */

// The socket failing under the driver (EPIPE: a write to a connection PostgreSQL has just closed),
// the driver's own connection errors, a query past its deadline (QUERY_DEADLINE, ./client.ts),
// PostgreSQL shutting down or out of connections (57P0x, 53300), a statement cancelled by
// statement_timeout (57014); and the connection-exception class (08xxx), matched below.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'QUERY_DEADLINE',
  '57P01',
  '57P02',
  '57P03',
  '57014',
  '53300',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  // the embedded database, once closed, answers nothing: it is unavailable, not broken
  return err instanceof Error && err.message === 'PGlite is closed';
}

// PostgreSQL's data exceptions for a value it cannot store or read: U+0000 in text (22021) or
// jsonb (22P05), a date or time out of its range (22008, 22007), a number out of range (22003).
const UNSTORABLE_CODES = new Set(['22021', '22P05', '22008', '22007', '22003']);

/** a value in the input that PostgreSQL cannot take and that no schema caught */
export function isUnstorableValue(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNSTORABLE_CODES.has(code);
}
