import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { NotFoundError, ValidationError, fieldIssues } from '../http/errors.js';
import { bearerSecurity, errorResponses, ErrorSchema, paramText } from '../http/schemas.js';
import { ANSWER_EXAMPLE, CLAIM_EXAMPLE } from './examples.js';
import { ClaimAnswerSchema, ClaimReferenceSchema, FindingSchema } from './answer.js';
import { buildClaimSchema, type ClaimInput } from './claim.schema.js';
import { screenClaim, screeningContext } from './screen-claim.js';

export function registerClaimRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const ClaimSchema = buildClaimSchema({ maxLines: deps.config.MAX_LINES_PER_CLAIM });

  // A body that is not JSON never reaches the validation hook below: it is recorded here.
  const recordUnreadable = createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (c.error instanceof HTTPException && c.error.status === 400) {
      await deps.rejections.record({ channel: 'single', raw: undefined, issues: [{ path: '', message: 'is not valid JSON' }], requestId: c.get('requestId') });
    }
  });

  const submit = createRoute({
    method: 'post',
    path: '/v1/claims',
    tags: ['claims'],
    summary: 'Screen one claim and store it with its answer',
    description:
      'Synchronous: the answer (decision, payable amount, findings) is returned only after the claim and its answer are committed. ' +
      'Replaying the same content under the same (institutionId, claimId) returns the stored answer; different content is 409.',
    security: bearerSecurity,
    middleware: [requireRole('settlement', 'admin'), recordUnreadable] as const,
    request: {
      body: {
        description: 'One claim (结算单): the visit, the insured person, its fee lines and how it was paid',
        content: { 'application/json': { schema: ClaimSchema, example: CLAIM_EXAMPLE } },
        required: true,
      },
    },
    responses: {
      200: {
        content: { 'application/json': { schema: ClaimAnswerSchema, example: ANSWER_EXAMPLE } },
        headers: {
          'Idempotent-Replayed': {
            description: '"true" when the claim was already stored with the same content and this is its stored answer; absent otherwise',
            schema: { type: 'string', enum: ['true'] },
          },
        },
        description: 'The answer',
      },
      ...errorResponses,
      409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Same claim id, different content' },
      413: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Body over the size limit' },
    },
  });

  app.openapi(
    submit,
    async (c) => {
      const input = c.req.valid('json') as ClaimInput;
      const { answer, answerJson, replayed } = await screenClaim({ ctx: screeningContext(deps, { clientId: c.get('actor')?.clientId ?? null, requestId: c.get('requestId') }), input }).catch(
        async (err: unknown) => {
          // Dates out of range are judged after the schema (they need the clock); recorded like its refusals.
          if (err instanceof ValidationError) {
            await deps.rejections.record({ channel: 'single', raw: input, issues: err.issues, requestId: c.get('requestId') });
          }
          throw err;
        },
      );
      if (replayed) c.header('Idempotent-Replayed', 'true');
      else deps.metrics.recordAnswer(answer, 'single');
      // the text stored with the claim, not serialised again
      c.header('Content-Type', 'application/json');
      return c.body(answerJson, 200) as never;
    },
    // Refusals are recorded (without the body) for the data-quality report, then answered 400.
    (async (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] }; data?: unknown }, c: Context<AppEnv>) => {
      if (result.success || !result.error) return undefined;
      const issues = fieldIssues(result.error.issues);
      await deps.rejections.record({ channel: 'single', raw: result.data, issues, requestId: c.get('requestId') });
      throw new ValidationError(issues, 'The claim is invalid');
    }) as never,
  );

  const get = createRoute({
    method: 'get',
    path: '/v1/claims/{institutionId}/{claimId}',
    tags: ['claims'],
    summary: 'A stored claim and its answer, by institution and claim id',
    security: bearerSecurity,
    middleware: [requireRole('settlement', 'auditor', 'supervisor', 'admin')] as const,
    request: {
      params: z.object({
        institutionId: z
          .string()
          .max(32)
          .regex(/^[0-9A-Za-z._-]+$/, 'must contain only letters, digits, ".", "_" and "-"')
          .openapi({ example: 'H32010200001' }),
        claimId: paramText(64).openapi({ example: 'ZY2026100400123' }),
      }),
    },
    responses: {
      200: {
        content: {
          'application/json': {
            schema: z
              .object({
                claim: z.record(z.string(), z.unknown()),
                answer: ClaimAnswerSchema,
                laterFindings: z
                  .array(FindingSchema.extend({ foundAt: z.string(), foundBy: z.object({ institutionId: z.string(), claimId: z.string() }) }))
                  .openapi({ description: 'retrospective findings: conflicts revealed by claims that arrived after this one was answered, this claim’s lines at fault' }),
                references: z.array(ClaimReferenceSchema).openapi({ description: 'findings carried by other claims that name this one: no case and no amount here' }),
              })
              .openapi('StoredClaim'),
          },
        },
        description: 'The claim as stored (without the raw person id) and its answer',
      },
      ...errorResponses,
      404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such claim' },
    },
  });

  app.openapi(get, async (c) => {
    const { institutionId, claimId } = c.req.valid('param');
    const found = await deps.claims.findByKey(institutionId, claimId);
    if (!found) throw new NotFoundError(`No claim ${claimId} of institution ${institutionId}`);
    const [later, references] = await Promise.all([deps.claims.laterFindings(found.id), deps.claims.references(found.id)]);
    return c.json({ claim: found.body as Record<string, unknown>, answer: found.answer, laterFindings: later, references }, 200);
  });

  return ClaimSchema;
}
