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
