import { z } from '@hono/zod-openapi';

export const FieldIssueSchema = z
  .looseObject({
    path: z.string().openapi({ description: 'the field at fault, dotted with indexes (lines[2].amount); empty for the whole body', example: 'lines[0].amount' }),
    message: z.string().openapi({ example: 'must be greater than or equal to 0' }),
  })
  .openapi('FieldIssue', { description: 'One field at fault. A range check adds the range and the value sent.' });

/** The one body of every error answer (src/http/error-handler.ts). */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({
        description: 'stable, for programs: invalid_request, unauthorized, forbidden, not_found, conflict, out_of_range, payload_too_large, request_timeout, overloaded, unavailable, internal…',
        example: 'invalid_request',
      }),
      message: z.string().openapi({ description: 'for people: what was wrong, naming the fields', example: 'The claim is invalid: lines[0].amount must be greater than or equal to 0' }),
      requestId: z.string().optional().openapi({ description: 'the X-Request-Id of the request, as logged' }),
      details: z
        .union([z.array(FieldIssueSchema), z.record(z.string(), z.unknown()).openapi({ description: 'a conflict: the state that refused the request, e.g. { "status": "closed" }' })])
        .optional()
        .openapi({ description: '400 and 422: every field at fault; 409: the state in the way, when there is one' }),
    }),
  })
  .openapi('ErrorBody');

const errorResponse = (description: string) => ({
  content: { 'application/json': { schema: ErrorSchema } },
  description,
});

export const errorResponses = {
  400: errorResponse('Invalid request: every failing field with its path and message'),
  401: errorResponse('Missing, unknown or revoked API key'),
  403: errorResponse("The key's role may not do this"),
} as const;

export const bearerSecurity = [{ bearerAuth: [] }];

// NUL and the other C0 controls cannot be stored or compared in PostgreSQL text (a NUL in a query
// parameter would get PostgreSQL's own message back); a lone UTF-16 surrogate is not text at all.
const CONTROL = /[\u0000-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text in a query or path parameter, held to what text in a body is held to: at most `max`
 * characters, no control characters, valid Unicode. A failure is a 400 naming the parameter.
 */
export const paramText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters')
    .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode (no lone surrogates)');
