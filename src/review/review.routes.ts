import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, errorResponses, ErrorSchema, paramText } from '../http/schemas.js';
import type { CASE_STATUSES } from './cases.js';
import { concludeBar, personOf } from './identity.js';
import { reviewOutcomes } from './outcomes.js';
import { closeMonth, completionTotals, recheckCompletion, sampleReport, verifyMonth } from './sampling.js';
import {
  AppealBody,
  AppealSchema,
  CaseDetailSchema,
  CaseIdParam,
  CaseSchema,
  CompletionSchema,
  ConclusionSchema,
  ConflictDeclarationBody,
  ConflictSchema,
  MonthParam,
  OutcomesSchema,
  QueueQuery,
  ReasonBody,
  SampleGroupSchema,
  SecondReviewSchema,
  TrailEntrySchema,
} from './review.schema.js';
import { readTrail, verifyTrail } from './trail.js';

const TAG = ['review'];
const err = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });
const ok = <T extends z.ZodType>(schema: T, description: string) => ({ 200: { content: { 'application/json': { schema } }, description } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });
const REVIEWERS = ['auditor', 'supervisor'] as const;
const STAFF = ['auditor', 'supervisor', 'admin'] as const;
const MANAGERS = ['supervisor', 'admin'] as const;
/** who reads appeals: the settlement system, an institution's own key (its own only), review staff */
const APPEAL_READERS = ['settlement', 'institution', 'auditor', 'supervisor', 'admin'] as const;

export function registerReviewRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  registerCaseRoutes(app, deps);
  registerAppealRoutes(app, deps);
  registerConflictRoutes(app, deps);
  registerTrailRoutes(app, deps);
  registerLearningRoutes(app, deps);
  registerSamplingRoutes(app, deps);
}

/** The reviewer's identity, the queue and a case's way through both review levels. */
function registerCaseRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { cases } = deps.review;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/me',
      tags: TAG,
      summary: 'Who the key belongs to, and whether they may conclude cases',
      security: bearerSecurity,
      middleware: [requireRole(...STAFF)] as const,
      responses: { ...ok(z.object({ person: z.string(), role: z.string(), mayConclude: z.boolean(), barredBecause: z.string().nullable() }), 'The person'), ...errorResponses },
    }),
    async (c) => {
      const p = personOf(c.get('actor'));
      const bar = await concludeBar(deps.database.query, p);
      return c.json({ person: p.name, role: p.role, mayConclude: bar === null, barredBecause: bar }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/cases',
      tags: TAG,
      summary: 'The queue: cases by priority (highest first), then age, with filters and paging',
      security: bearerSecurity,
      middleware: [requireRole(...STAFF)] as const,
      request: { query: QueueQuery },
      responses: { ...ok(z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), items: z.array(CaseSchema) }), 'A page of the queue'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const assignee = q.assignee === 'me' ? c.get('actor').clientName : q.assignee;
      const status = q.status ? (q.status.split(',') as (typeof CASE_STATUSES)[number][]) : undefined;
      return c.json(await cases.queue({ ...q, status, assignee }, personOf(c.get('actor'))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/cases/{caseId}',
      tags: TAG,
      summary: 'A case: the claim, its answer, reasons, findings, both review levels and its trail',
      security: bearerSecurity,
      middleware: [requireRole(...STAFF)] as const,
      request: { params: CaseIdParam },
      responses: { ...ok(CaseDetailSchema, 'The case'), 404: err('No such case'), ...errorResponses },
    }),
    async (c) => c.json((await cases.detail(c.req.valid('param').caseId, personOf(c.get('actor')))) as z.infer<typeof CaseDetailSchema>, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/draw',
      tags: TAG,
      summary: 'Draw a case at random among the most urgent open cases (excluding declared conflicts); 204 when none',
      security: bearerSecurity,
      middleware: [requireRole(...REVIEWERS)] as const,
      responses: { ...ok(CaseSchema, 'The case drawn, now assigned to the caller'), 204: { description: 'No open case the caller may take' }, ...errorResponses },
    }),
    async (c) => {
      const drawn = await cases.draw(personOf(c.get('actor')));
      return drawn ? c.json(drawn, 200) : c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/cases/{caseId}/conclusion',
      tags: TAG,
      summary: 'Initial review: violation confirmed (lines, amount, basis) or dismissed (reason); a new conclusion is a new entry',
      security: bearerSecurity,
      middleware: [requireRole(...REVIEWERS)] as const,
      request: { params: CaseIdParam, ...{ body: body(ConclusionSchema).body } },
      responses: { ...ok(CaseSchema, 'The case, now concluded'), 404: err('No such case'), 409: err('The case is not awaiting a conclusion'), ...errorResponses },
    }),
    async (c) => c.json(await cases.conclude(personOf(c.get('actor')), c.req.valid('param').caseId, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/cases/{caseId}/second-review',
      tags: TAG,
      summary: 'Second review by a different person: agree (the conclusion becomes final) or send back with a reason; no edits',
      security: bearerSecurity,
      middleware: [requireRole(...REVIEWERS)] as const,
      request: { params: CaseIdParam, body: body(SecondReviewSchema).body },
      responses: { ...ok(CaseSchema, 'The case, closed or returned'), 404: err('No such case'), 409: err('The case is not awaiting a second review'), ...errorResponses },
    }),
    async (c) => c.json(await cases.secondReview(personOf(c.get('actor')), c.req.valid('param').caseId, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/cases/{caseId}/release',
      tags: TAG,
      summary: 'Give a drawn case back to the pool (its assignee or a supervisor)',
      security: bearerSecurity,
      middleware: [requireRole(...REVIEWERS)] as const,
      request: { params: CaseIdParam, body: body(ReasonBody).body },
      responses: { ...ok(CaseSchema, 'The case, open again'), 404: err('No such case'), 409: err('The case is not assigned'), ...errorResponses },
    }),
    async (c) => c.json(await cases.release(personOf(c.get('actor')), c.req.valid('param').caseId, c.req.valid('json').reason), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/cases/{caseId}/reopen',
      tags: TAG,
      summary: 'A correction: reopen a closed case (earlier entries stay as they were)',
      security: bearerSecurity,
      middleware: [requireRole('supervisor')] as const,
      request: { params: CaseIdParam, body: body(ReasonBody).body },
      responses: { ...ok(CaseSchema, 'The case, open again'), 404: err('No such case'), 409: err('The case is not closed'), ...errorResponses },
    }),
    async (c) => c.json(await cases.reopen(personOf(c.get('actor')), c.req.valid('param').caseId, c.req.valid('json').reason), 200),
  );
}

/** Appeals against money withheld at intake. */
function registerAppealRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { cases } = deps.review;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/appeals',
      tags: TAG,
      summary: 'Appeal a withheld claim: the case gets an appeal reason',
      description: 'One open appeal per claim: a second appeal while one is open adds its reason to it and no money. An institution’s own key (role institution) appeals its own claims only.',
      security: bearerSecurity,
      middleware: [requireRole('settlement', 'admin', 'institution')] as const,
      request: body(AppealBody),
      responses: {
        ...ok(
          z.object({
            caseId: z.number().int(),
            status: z.string(),
            appealId: z.number().int(),
            joined: z.boolean().openapi({ description: 'true when the reason was added to the claim’s open appeal' }),
          }),
          'The case the appeal joined',
        ),
        404: err('No such claim'),
        409: err('The claim was not withheld'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const k = await cases.appeal(personOf(c.get('actor')), c.req.valid('json'));
      // The appellant learns the case id and whether it is open, nothing about other reasons (the sample stays unrevealed).
      return c.json({ caseId: k.id, status: k.status, appealId: k.appealId, joined: k.joined }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/appeals',
      tags: TAG,
      summary: 'Appeals, newest first, with their status and outcome; an institution’s key sees its own only',
      security: bearerSecurity,
      middleware: [requireRole(...APPEAL_READERS)] as const,
      request: {
        query: z.object({
          institutionId: paramText(64).optional().openapi({ description: 'ignored for an institution’s key (always its own)' }),
          claimId: paramText(64).optional(),
          status: z.enum(['open', 'decided']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
      },
      responses: { ...ok(z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), items: z.array(AppealSchema) }), 'Appeals'), ...errorResponses },
    }),
    async (c) => c.json(await cases.appeals(c.req.valid('query'), personOf(c.get('actor'))), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/appeals/{appealId}',
      tags: TAG,
      summary: 'One appeal: its reasons, status and outcome (another institution’s appeal is not found for an institution’s key)',
      security: bearerSecurity,
      middleware: [requireRole(...APPEAL_READERS)] as const,
      request: {
        params: z.object({
          appealId: z.coerce
            .number()
            .int()
            .positive()
            .openapi({ param: { name: 'appealId', in: 'path' }, example: 1 }),
        }),
      },
      responses: { ...ok(AppealSchema, 'The appeal'), 404: err('No such appeal'), ...errorResponses },
    }),
    async (c) => c.json(await cases.appealById(c.req.valid('param').appealId, personOf(c.get('actor'))), 200),
  );
}

/** Declared conflicts of interest, which keep a person from an institution's cases. */
function registerConflictRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { conflicts } = deps.review;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/conflicts',
      tags: TAG,
      summary: 'Declared conflicts of interest',
      security: bearerSecurity,
      middleware: [requireRole(...STAFF)] as const,
      request: { query: z.object({ person: paramText(200).optional(), institutionId: paramText(64).optional() }) },
      responses: { ...ok(z.object({ conflicts: z.array(ConflictSchema) }), 'Conflicts'), ...errorResponses },
    }),
    async (c) => c.json({ conflicts: await conflicts.list(c.req.valid('query')) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/conflicts',
      tags: TAG,
      summary: 'Declare a conflict of interest with an institution (one’s own; a supervisor or admin may declare for another person)',
      security: bearerSecurity,
      middleware: [requireRole(...STAFF)] as const,
      request: body(ConflictDeclarationBody),
      responses: {
        ...ok(
          z.object({ id: z.number().int(), person: z.string(), institutionId: z.string(), kind: z.string(), note: z.string(), declaredBy: z.string(), released: z.array(z.number().int()) }),
          'Declared; cases the person held there went back to the pool',
        ),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await conflicts.declare(personOf(c.get('actor')), c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/conflicts/{conflictId}/withdraw',
      tags: TAG,
      summary: 'Withdraw a declared conflict',
      security: bearerSecurity,
      middleware: [requireRole(...MANAGERS)] as const,
      request: {
        params: z.object({
          conflictId: z.coerce
            .number()
            .int()
            .positive()
            .openapi({ param: { name: 'conflictId', in: 'path' } }),
        }),
        body: body(ReasonBody).body,
      },
      responses: { ...ok(z.object({ id: z.number().int(), withdrawn: z.boolean() }), 'Withdrawn'), 404: err('No such conflict in force'), ...errorResponses },
    }),
    async (c) => c.json(await conflicts.withdraw(personOf(c.get('actor')), c.req.valid('param').conflictId, c.req.valid('json').reason), 200),
  );
}

/** The review trail and its hash chain. */
function registerTrailRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/trail',
      tags: TAG,
      summary: 'The trail, in order (optionally one case’s)',
      security: bearerSecurity,
      middleware: [requireRole(...MANAGERS)] as const,
      request: {
        query: z.object({ caseId: z.coerce.number().int().positive().optional(), afterSeq: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      },
      responses: { ...ok(z.object({ entries: z.array(TrailEntrySchema) }), 'Entries'), ...errorResponses },
    }),
    async (c) => {
      await deps.review.sealer.trySeal();
      return c.json({ entries: await readTrail(deps.database, c.req.valid('query')) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/trail/verify',
      tags: TAG,
      summary: 'Seal what is pending, then verify the trail’s hash chain',
      security: bearerSecurity,
      middleware: [requireRole(...MANAGERS)] as const,
      responses: {
        ...ok(
          z.object({
            ok: z.boolean(),
            entries: z.number().int().openapi({ description: 'sealed entries verified' }),
            pending: z.number().int().openapi({ description: 'entries not yet sealed (committed after the sealing this request ran)' }),
            head: z.string().optional(),
            brokenAt: z.number().int().optional().openapi({ description: 'the seq of the first entry that fails' }),
            position: z.number().int().optional(),
            problem: z.string().optional(),
          }),
          'The verdict',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      await deps.review.sealer.trySeal();
      return c.json(await verifyTrail(deps.database), 200);
    },
  );
}

/** What the final outcomes say about the rules and the reasons. */
function registerLearningRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/outcomes',
      tags: TAG,
      summary: 'Learning from final outcomes: per-rule precision, per-reason outcomes, and the unflagged violation share from the random sample (95% Wilson interval)',
      security: bearerSecurity,
      middleware: [requireRole(...STAFF)] as const,
      responses: {
        ...ok(OutcomesSchema, 'Outcomes'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await reviewOutcomes(deps.database), 200),
  );
}

/** The random re-check: a month's sample, its closing, verification and completion. */
function registerSamplingRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/sampling/{month}',
      tags: TAG,
      summary: 'The random re-check of a month: per institution and visit type, claims, sampled, required and whether the floor is met',
      security: bearerSecurity,
      middleware: [requireRole(...MANAGERS)] as const,
      request: { params: MonthParam },
      responses: { ...ok(z.object({ month: z.string(), groups: z.array(SampleGroupSchema) }), 'The report'), ...errorResponses },
    }),
    async (c) => {
      const { month } = c.req.valid('param');
      return c.json({ month, groups: await sampleReport(deps.database, deps.review.rates, month) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/recheck',
      tags: TAG,
      summary: 'Re-check completion of the closed months: per institution, month and visit type, concluded / sampled (and the required floor), the due date and whether it is overdue',
      security: bearerSecurity,
      middleware: [requireRole(...MANAGERS)] as const,
      request: {
        query: z.object({
          month: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
            .optional()
            .openapi({ description: 'one month (default: every closed month)' }),
          outstanding: z.enum(['true', 'false']).optional().openapi({ description: 'true: only groups not complete' }),
        }),
      },
      responses: {
        ...ok(
          z.object({
            now: z.string(),
            groups: z.array(CompletionSchema),
            totals: z.object({ groups: z.number().int(), complete: z.number().int(), overdue: z.number().int(), sampled: z.number().int(), concluded: z.number().int() }),
          }),
          'Completion',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const now = deps.now();
      const groups = await recheckCompletion(deps.database, { month: q.month, outstanding: q.outstanding === 'true', now, dueDays: deps.review.schedule.dueDays });
      return c.json({ now: new Date(now).toISOString(), groups, totals: completionTotals(groups) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/sampling/{month}/close',
      tags: TAG,
      summary: 'Close a month for the re-check: top every institution up to ceil(rate × claims); idempotent',
      security: bearerSecurity,
      middleware: [requireRole(...MANAGERS)] as const,
      request: { params: MonthParam },
      responses: {
        ...ok(
          z.object({
            month: z.string(),
            added: z.number().int(),
            dueAt: z.string().openapi({ description: 'the month’s re-check is due then (docs/review-recheck.md)' }),
            groups: z.array(
              z.object({
                institutionId: z.string(),
                visitType: z.string(),
                ratePpm: z.number().int(),
                claims: z.number().int(),
                required: z.number().int(),
                sampled: z.number().int(),
                added: z.number().int(),
              }),
            ),
          }),
          'Closed',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const closed = await closeMonth(deps.database, deps.review.key, deps.review.rates, c.req.valid('param').month, c.get('actor').clientName, deps.review.schedule);
      deps.review.sealer.nudge();
      return c.json(closed, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/sampling/{month}/verify',
      tags: TAG,
      summary: 'Re-derive the month’s selection from the database and the key and compare',
      security: bearerSecurity,
      middleware: [requireRole(...MANAGERS)] as const,
      request: { params: MonthParam },
      responses: {
        ...ok(
          z.object({
            month: z.string(),
            match: z.boolean(),
            groups: z.array(
              z.object({
                institutionId: z.string(),
                visitType: z.string(),
                mode: z.enum(['closed', 'intake']),
                ratePpm: z.number().int(),
                claims: z.number().int(),
                required: z.number().int(),
                derived: z.number().int(),
                sampled: z.number().int(),
                match: z.boolean(),
                missing: z.array(z.string()),
                unexpected: z.array(z.string()),
              }),
            ),
          }),
          'The verdict',
        ),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await verifyMonth(deps.database, deps.review.key, deps.review.rates, c.req.valid('param').month), 200),
  );
}
