/**
 * The errors of the domain, in the caller's terms and without HTTP: a kind says what sort of
 * failure it is, a code names the case, details carry the fields at fault. src/http/error-status.ts
 * is the one place a kind becomes an HTTP status (and the one error body).
 */
export type ErrorKind =
  /** the input is malformed or breaks a rule of its values */
  | 'invalid'
  /** no valid credentials */
  | 'unauthorized'
  /** credentials valid, but not for this */
  | 'forbidden'
  | 'not_found'
  /** the input did not arrive in time */
  | 'timeout'
  /** the input contradicts what is stored */
  | 'conflict'
  /** the input is larger than allowed */
  | 'too_large'
  /** well-formed, but cannot be acted on (a setting out of range, too little data) */
  | 'unprocessable'
  /** temporarily impossible: retry */
  | 'unavailable';

export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly issues: FieldIssue[],
    message = 'The request is invalid',
  ) {
    super(
      'invalid',
      'invalid_request',
      `${message}: ${issues
        .map((i) => `${i.path || '(body)'} ${i.message}`)
        .slice(0, 3)
        .join('; ')}${issues.length > 3 ? '; …' : ''}`,
      issues,
    );
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('conflict', 'conflict', message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', 'not_found', message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid API key is required: Authorization: Bearer <key>') {
    super('unauthorized', 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', 'forbidden', message);
  }
}

/**
 * Converts zod issues into field paths such as lines[2].amount. Zod reports unknown fields as one
 * issue on their parent; each becomes an issue of its own, at its own path.
 */
export function fieldIssues(issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[]): FieldIssue[] {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys' && i.keys?.length
      ? i.keys.map((key) => ({ path: formatPath([...i.path, key]), message: 'is not a known field' }))
      : [{ path: formatPath(i.path), message: /received undefined$/.test(i.message) ? 'is required' : i.message }],
  );
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}
