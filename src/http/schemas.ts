import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string(),
      requestId: z.string().optional(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

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

// NUL and the other C0 controls cannot be stored or compared in PostgreSQL text (a NUL reached it
// from query parameters: a 400 that echoed PostgreSQL's message, issue 22); a lone UTF-16
// surrogate is not text at all.
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
