import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, errorResponses, ErrorSchema, paramText } from '../http/schemas.js';
import { parseDate } from '../lib/time.js';
import { acceptedFilters } from './reference.query.js';
import { recordKey } from './reference.rows.js';
import { REFERENCE_KINDS, type ReferenceKind } from './reference.schema.js';

export const MAX_RECORDS_PER_PUT = 5000;

const FILTERS = {
  id: paramText(32).optional().openapi({ description: 'institution id' }),
  code: paramText(50).optional().openapi({ description: 'item code (for relations: main or sub item)' }),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month yyyy-MM')
    .optional(),
};

/** Query parameters a kind accepts; strict, so a filter the kind lacks is refused rather than ignored. */
function querySchema(kind: ReferenceKind) {
  const filters = Object.fromEntries(acceptedFilters(kind).map((f) => [f, FILTERS[f as keyof typeof FILTERS]]));
  const asOf =
    kind === 'stock-records'
      ? {}
      : {
          asOf: z
            .string()
            .refine((s) => parseDate(s) !== undefined && !s.startsWith('0000'), 'must be a date yyyy-MM-dd from year 0001')
            .optional()
            .openapi({ description: 'only the version valid on this date' }),
        };
  return z
    .object({
      ...filters,
      ...asOf,
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    })
    .strict();
}

/** Two records of one request for the same row would make the outcome depend on their order. */
function bodySchema(kind: ReferenceKind) {
  return z
    .object({
      records: z
        .array(REFERENCE_KINDS[kind] as z.ZodType)
        .min(1, 'must hold at least one record')
        .max(MAX_RECORDS_PER_PUT, `must hold at most ${MAX_RECORDS_PER_PUT} records`),
    })
    .strict()
    .superRefine((body, ctx) => {
      const seen = new Map<string, number>();
      body.records.forEach((r, i) => {
        const key = recordKey(kind, r as Record<string, unknown>);
        const first = seen.get(key);
        if (first === undefined) seen.set(key, i);
        else ctx.addIssue({ code: 'custom', path: ['records', i], message: `has the same key as records[${first}]` });
      });
    });
}

function registerKind(app: OpenAPIHono<AppEnv>, deps: AppDeps, kind: ReferenceKind) {
  const path = `/v1/reference/${kind}`;
  const put = createRoute({
    method: 'put',
    path,
    tags: ['reference'],
    summary: `Insert or replace ${kind} (1 to ${MAX_RECORDS_PER_PUT} records, all or none)`,
    description: 'A record with the key of a stored one replaces it; the batch is written in one transaction.',
    security: bearerSecurity,
    middleware: [requireRole('admin')] as const,
    request: { body: { content: { 'application/json': { schema: bodySchema(kind) } }, required: true } },
    responses: {
      200: { content: { 'application/json': { schema: z.object({ upserted: z.number().int() }) } }, description: 'Rows written' },
      ...errorResponses,
      413: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Body over the size limit' },
    },
  });
  app.openapi(put, async (c) => {
    const { records } = c.req.valid('json');
    const upserted = await deps.reference.upsert(kind, records as never);
    // Screening reads its in-memory copy: reload it now so the next claim sees this batch. The
    // rows are committed either way, so a failed reload is left to the periodic refresh.
    await deps.referenceCache.refresh().catch((err) => deps.logger.warn({ err, kind }, 'reference cache reload failed'));
    return c.json({ upserted }, 200);
  });

  const get = createRoute({
    method: 'get',
    path,
    tags: ['reference'],
    summary: `List ${kind}, in key order, a page at a time`,
    security: bearerSecurity,
    middleware: [requireRole('settlement', 'auditor', 'supervisor', 'admin')] as const,
    request: { query: querySchema(kind) },
    responses: {
      200: {
        content: {
          'application/json': {
            schema: z.object({ records: z.array(REFERENCE_KINDS[kind] as z.ZodType), total: z.number().int() }),
          },
        },
        description: 'One page of records and the number matching the filters',
      },
      ...errorResponses,
    },
  });
  app.openapi(get, async (c) => {
    const query = c.req.valid('query') as { limit: number; offset: number } & Record<string, string | undefined>;
    return c.json(await deps.reference.list(kind, query), 200);
  });
}

export function registerReferenceRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  for (const kind of Object.keys(REFERENCE_KINDS) as ReferenceKind[]) registerKind(app, deps, kind);
}
