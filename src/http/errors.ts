/** One error body everywhere: { error: { code, message, requestId, details? } }. */
export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 408 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  constructor(readonly issues: FieldIssue[], message = 'The request is invalid') {
    super(400, 'invalid_request', `${message}: ${issues.map((i) => `${i.path || '(body)'} ${i.message}`).slice(0, 3).join('; ')}${issues.length > 3 ? '; …' : ''}`, issues);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid API key is required: Authorization: Bearer <key>') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

/**
 * Converts zod issues into field paths such as lines[2].amount. Zod reports unknown fields as one
 * issue on their parent; each becomes an issue of its own, at its own path.
 */
export function fieldIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
): FieldIssue[] {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys' && i.keys?.length
      ? i.keys.map((key) => ({ path: formatPath([...i.path, key]), message: 'is not a known field' }))
      : [{ path: formatPath(i.path), message: /received undefined$/.test(i.message) ? 'is required' : i.message }],
  );
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}
