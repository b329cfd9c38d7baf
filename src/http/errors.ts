/**
 * The domain's errors as the routes and pages import them. They live in src/errors.ts, without
 * HTTP; ./error-status.ts maps them to statuses.
 */
export { AppError, ConflictError, fieldIssues, ForbiddenError, formatPath, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
export type { ErrorKind, FieldIssue } from '../errors.js';
