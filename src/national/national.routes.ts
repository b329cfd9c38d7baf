import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireRole } from '../auth/middleware.js';
import { buildClaimSchema } from '../claims/claim.schema.js';
import { screeningContext } from '../claims/screen-claim.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ValidationError, fieldIssues, type FieldIssue } from '../http/errors.js';
import { bearerSecurity, ErrorSchema } from '../http/schemas.js';
import { FeedbackRequestSchema, ReviewRequestSchema } from './national.schema.js';
import { reviewVisits } from './review-visits.js';

const NationalAnswerSchema = z.object({ infcode: z.number().int().openapi({ description: '0 = success, -1 = refused' }), err_msg: z.string(), output: z.unknown() }).openapi('NationalAnswer');

/** A refusal speaks both languages: the national envelope (infcode -1, err_msg) and the service's ErrorBody. */
const NationalRefusalSchema = z.intersection(NationalAnswerSchema, ErrorSchema);

/**
 * The national platform's review interface, for callers already wired to it. Failures answer in
 * the platform's envelope (infcode -1, err_msg) with the service's error object beside it, so a
 * national adapter and the service's own clients both read them.
 */
export function registerNationalRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { national } = deps;
  const claimSchema = buildClaimSchema({ maxLines: deps.config.MAX_LINES_PER_CLAIM });
  const ruleNames = new Map(deps.rules.map((r) => [r.id, r.description.zh]));

  const refuse = (c: Context<AppEnv>, issues: FieldIssue[], status: 400 | 404 = 400) =>
    c.json(
      {
        infcode: -1,
        err_msg: issues
          .map((i) => `${i.path} ${i.message}`)
          .slice(0, 5)
          .join('; '),
        output: null,
        error: { code: 'invalid_request', message: 'The request is invalid', requestId: c.get('requestId'), details: issues },
      },
      status,
    );
  const hook = ((result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }, c: Context<AppEnv>) =>
    result.success || !result.error ? undefined : refuse(c, fieldIssues(result.error.issues))) as never;

  for (const infno of ['3101', '3102'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/national/${infno}`,
        tags: ['national interface'],
        summary: infno === '3101' ? '明细审核事前分析 (pre-event review of a visit)' : '明细审核事中分析 (in-process review of a visit)',
        description:
          'The national platform’s request and answer shapes. Numbers may be strings; "" and null are absent. Nothing is stored as a claim; the violations answered are stored for 3103 feedback.',
        security: bearerSecurity,
        middleware: [requireRole('settlement', 'admin')] as const,
        request: { body: { content: { 'application/json': { schema: ReviewRequestSchema } }, required: true } },
        responses: {
          200: { content: { 'application/json': { schema: NationalAnswerSchema } }, description: 'output.result[]: one entry per violation' },
          400: {
            content: { 'application/json': { schema: NationalRefusalSchema } },
            description: 'refused: infcode -1 and err_msg for the national platform, error (ErrorBody) with every field at fault',
          },
        },
      }),
      async (c) => {
        const req = c.req.valid('json');
        try {
          const result = await reviewVisits(
            {
              ...screeningContext(deps, { clientId: c.get('actor').clientId, requestId: c.get('requestId') }),
              national,
              claimSchema,
              ruleName: (id) => ruleNames.get(id) ?? id,
            },
            { ...req, infno: req.infno ?? infno },
          );
          return c.json({ infcode: 0, err_msg: '', output: { result } }, 200);
        } catch (err) {
          if (err instanceof ValidationError) return refuse(c, err.issues) as never;
          throw err;
        }
      },
      hook,
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/national/3103',
      tags: ['national interface'],
      summary: '事前事中服务反馈 (feedback on each violation answered)',
      security: bearerSecurity,
      middleware: [requireRole('settlement', 'admin')] as const,
      request: { body: { content: { 'application/json': { schema: FeedbackRequestSchema } }, required: true } },
      responses: {
        200: { content: { 'application/json': { schema: NationalAnswerSchema } }, description: 'output.accepted: how many were stored' },
        400: {
          content: { 'application/json': { schema: NationalRefusalSchema } },
          description: 'refused: infcode -1 and err_msg for the national platform, error (ErrorBody) with every field at fault',
        },
      },
    }),
    async (c) => {
      const data = c.req.valid('json').input.data;
      const items = Array.isArray(data) ? data : 'warns' in data ? data.warns : [data];
      const path = (i: number) => (Array.isArray(data) ? `input.data[${i}]` : 'warns' in data ? `input.data.warns[${i}]` : 'input.data');
      const kinds = await national.kindsOf(items.map((i) => i.warn_rslt_id ?? ''));
      const unknown = items.flatMap((it, i) =>
        kinds.has((it.warn_rslt_id ?? '').toLowerCase()) ? [] : [{ path: `${path(i)}.warn_rslt_id`, message: `names no violation this service answered (${it.warn_rslt_id})` }],
      );
      if (unknown.length > 0) return refuse(c, unknown) as never;
      await national.insertFeedback(
        items.map((it) => ({ resultId: it.warn_rslt_id!, kind: kinds.get(it.warn_rslt_id!.toLowerCase())!, disposition: it.dspo_way!, reason: it.dspo_way_rea })),
        c.get('actor').clientId,
      );
      return c.json({ infcode: 0, err_msg: '', output: { accepted: items.length } }, 200);
    },
    hook,
  );
}
