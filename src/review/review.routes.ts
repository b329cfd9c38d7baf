import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware.js';
import { ClaimReferenceSchema } from '../claims/answer.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, errorResponses, ErrorSchema, paramText } from '../http/schemas.js';
import { CASE_STATUSES, QUEUE_SORTS, REASON_KINDS } from './cases.js';
import { CONFLICT_KINDS } from './conflicts.js';
import { REFUSAL_CODES, REFUSAL_LABELS } from './refusal-codes.js';
import { concludeBar, personOf } from './identity.js';
import { reviewOutcomes } from './outcomes.js';
import { closeMonth, completionTotals, recheckCompletion, sampleReport, verifyMonth } from './sampling.js';
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

const Fen = z.string().openapi({ example: '36.00' });
const RefusalLineSchema = z
  .object({
    lineId: z.string(),
    kind: z.enum(['whole', 'reduced']),
    code: z.enum(REFUSAL_CODES).nullable(),
    amount: Fen,
    withheldAtIntake: Fen,
    quantity: z.object({ billed: z.string(), approved: z.string() }).optional(),
    unitPrice: z.object({ billed: z.string(), approved: z.string() }).optional(),
    approvedAmount: Fen.openapi({ description: 'what the line may still be paid after this refusal' }),
    refused: Fen.openapi({ description: 'refused by this conclusion, beyond what the intake withheld' }),
  })
  .openapi('ReviewRefusalLine');
const AppealSchema = z
  .object({
    id: z.number().int(),
    caseId: z.number().int(),
    institutionId: z.string(),
    claimId: z.string(),
    status: z.enum(['open', 'decided']),
    outcome: z.enum(['granted', 'rejected']).nullable().openapi({ description: 'granted: the review found no violation (the withheld money is owed); rejected: the violation was confirmed' }),
    amount: Fen.openapi({ description: 'the money withheld at intake that the appeal disputes (counted once however often the claim is appealed)' }),
    reasons: z.array(z.object({ reason: z.string(), lodgedBy: z.string(), lodgedAt: z.string() })),
    openedAt: z.string(),
    decidedAt: z.string().nullable(),
    decision: z
      .object({ outcome: z.enum(['confirmed', 'dismissed']), amountRefused: Fen, basis: z.string(), lines: z.array(RefusalLineSchema) })
      .nullable()
      .openapi({ description: 'the agreed conclusion that decided it' }),
  })
  .openapi('ReviewAppealState');

const CaseSchema = z
  .object({
    id: z.number().int(),
    claim: z.object({ id: z.string(), institutionId: z.string(), claimId: z.string(), serviceMonth: z.string(), visitType: z.string() }),
    institutionId: z.string(),
    status: z.enum(CASE_STATUSES).openapi({ description: 'open → assigned → concluded → closed (agreed) or returned (sent back to the initial reviewer)' }),
    blinded: z.boolean().openapi({
      description:
        'true when the caller is an auditor and the case is not concluded (open, assigned, returned): reasonKinds, severity, amountAtIssue, providerRisk and priority are null, so a case of the random re-check looks like any other (docs/review-recheck.md)',
    }),
    reasonKinds: z.array(z.string()).nullable().openapi({ description: 'finding, retrospective, provider_model, appeal, sample; null when blinded' }),
    families: z.array(z.string()),
    severity: z.enum(['none', 'low', 'medium', 'high', 'violation']).nullable().openapi({ description: 'null when blinded' }),
    amountAtIssue: z.string().nullable().openapi({ description: 'null when blinded' }),
    claimTotal: z.string(),
    providerRisk: z.number().nullable().openapi({ description: 'null when blinded' }),
    priority: z.number().nullable().openapi({ description: '(amount at issue + 5% of the claim) × severity weight × (1 + provider risk); null when blinded' }),
    assignee: z.string().nullable(),
    assignedAt: z.string().nullable(),
    finalOutcome: z.enum(['confirmed', 'dismissed']).nullable(),
    openedAt: z.string(),
    updatedAt: z.string(),
    ageDays: z.number().int(),
    dueAt: z.string().openapi({ description: 'opened + REVIEW_CASE_DUE_DAYS (the same rule for every case)' }),
    sampleDueAt: z.string().nullable().openapi({ description: 'a sample case of a closed month: the re-check’s due date; null when blinded or not a sample case' }),
  })
  .openapi('ReviewCase');

const TrailEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    caseId: z.number().int().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    position: z.number().int().nullable().openapi({ description: 'the entry’s place in the hash chain; null until sealed (within about a second of the action)' }),
    hash: z.string().nullable().openapi({ description: 'SHA-256(prevHash + "\\n" + the entry’s canonical JSON); null until sealed' }),
    prevHash: z.string().nullable().openapi({ description: 'the hash of the entry before it in the chain; null until sealed' }),
  })
  .openapi('ReviewTrailEntry');

const CaseDetailSchema = z
  .object({
    case: CaseSchema,
    claimBody: z.unknown().openapi({ description: 'the stored claim (without the raw person id)' }),
    answer: z.unknown().openapi({ description: 'the answer given to the settlement system' }),
    reasons: z.array(
      z.object({
        id: z.number().int(),
        kind: z.string(),
        findingId: z.string().nullable(),
        ruleId: z.string().nullable(),
        family: z.string().nullable(),
        severity: z.string().nullable(),
        amount: z.string(),
        detail: z.record(z.string(), z.unknown()),
        createdBy: z.string(),
        createdAt: z.string(),
        note: z.string().nullable().openapi({ description: 'an appeal’s reason, as written' }),
      }),
    ),
    findings: z.array(
      z.object({
        id: z.string(),
        ruleId: z.string(),
        ruleVersion: z.number().int(),
        family: z.string(),
        severity: z.string(),
        status: z.string(),
        message: z.object({ zh: z.string(), en: z.string() }),
        violatingLines: z.array(z.string()),
        involvedLines: z.array(z.string()),
        otherClaims: z.array(z.unknown()),
        amount: z.string(),
        retrospective: z.boolean(),
        foundBy: z.object({ institutionId: z.string(), claimId: z.string() }),
      }),
    ),
    references: z.array(ClaimReferenceSchema).openapi({ description: 'findings carried by other claims that name this claim: no case and no amount here' }),
    conclusions: z.array(
      z.object({
        id: z.number().int(),
        outcome: z.enum(['confirmed', 'dismissed']),
        refusedLines: z.array(z.string()),
        amountRefused: z.string(),
        basis: z.string(),
        concludedBy: z.string(),
        concludedAt: z.string(),
        lines: z.array(RefusalLineSchema).openapi({ description: 'the refusals line by line (empty for conclusions before issue 15)' }),
      }),
    ),
    secondReviews: z.array(
      z.object({
        id: z.number().int(),
        conclusionId: z.number().int(),
        verdict: z.enum(['agree', 'send_back']),
        reason: z.string().nullable(),
        reviewedBy: z.string(),
        reviewedAt: z.string(),
      }),
    ),
    money: z
      .object({
        decision: z.enum(['pass', 'review', 'withhold']).openapi({ description: 'the intake’s decision' }),
        totalAmount: Fen,
        payableAmount: Fen,
        withheldAmount: Fen,
        refusableAmount: Fen.openapi({ description: 'what a review may still refuse: the claim’s lines less what the intake withheld' }),
        lines: z.array(z.object({ lineId: z.string(), quantity: z.string(), unitPrice: z.string(), amount: Fen, withheldAtIntake: Fen, refusable: Fen })),
      })
      .openapi({ description: 'the intake’s decision and what it withheld per line (docs/review-money.md)' }),
    appeals: z.array(AppealSchema),
    trail: z.array(TrailEntrySchema),
  })
  .openapi('ReviewCaseDetail');

const CaseIdParam = z.object({
  caseId: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'caseId', in: 'path' }, example: 1 }),
});
const MonthParam = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
    .openapi({ param: { name: 'month', in: 'path' }, example: '2026-09' }),
});
const text = (max: number, what: string) => z.string().trim().min(1, `must say ${what}`).max(max);

export const ConclusionSchema = z
  .discriminatedUnion('outcome', [
    z
      .object({
        outcome: z.literal('confirmed'),
        refusedLines: z
          .array(z.union([z.string().min(1).max(64), z.object({ lineId: z.string().min(1).max(64), code: z.enum(REFUSAL_CODES).optional() }).strict()]))
          .max(1000)
          .default([])
          .openapi({ description: 'lines refused whole: a line id, or { lineId, code } with a reason code' }),
        adjustments: z
          .array(
            z
              .object({
                lineId: z.string().min(1).max(64),
                code: z.enum(REFUSAL_CODES).openapi({ description: `why: ${REFUSAL_CODES.map((c) => `${c} (${REFUSAL_LABELS[c].en} / ${REFUSAL_LABELS[c].zh})`).join('; ')}` }),
                quantity: z
                  .union([z.string().max(20), z.number()])
                  .optional()
                  .openapi({ description: 'the approved quantity, below the billed one' }),
                unitPrice: z
                  .union([z.string().max(20), z.number()])
                  .optional()
                  .openapi({ description: 'the approved unit price, below the billed one' }),
              })
              .strict(),
          )
          .max(1000)
          .default([])
          .openapi({ description: 'lines reduced: a lower approved quantity or unit price with a reason code; refuses what is still payable beyond approved quantity × price' }),
        amountRefused: z
          .union([z.string().max(20), z.number()])
          .optional()
          .openapi({
            description:
              'yuan: required when whole lines are refused, at most what is still payable on them (what the intake withheld is not refused again) plus the reductions, at least the reductions; without whole lines it may be left out (the reductions’ total)',
            example: '120.00',
          }),
        basis: text(4000, 'the basis (rule, regulation, evidence)'),
      })
      .strict(),
    z.object({ outcome: z.literal('dismissed'), reason: text(4000, 'why it is dismissed') }).strict(),
  ])
  .openapi('ReviewConclusion');

export const SecondReviewSchema = z
  .discriminatedUnion('verdict', [z.object({ verdict: z.literal('agree') }).strict(), z.object({ verdict: z.literal('send_back'), reason: text(4000, 'why it is sent back') }).strict()])
  .openapi('ReviewSecondReview');

export const ReasonBody = z.object({ reason: text(2000, 'why') }).strict();

export const QueueQuery = z.object({
  status: z
    .string()
    .regex(new RegExp(`^(${CASE_STATUSES.join('|')})(,(${CASE_STATUSES.join('|')}))*$`), `must be a comma-separated list of ${CASE_STATUSES.join(', ')}`)
    .optional(),
  reason: z.enum(REASON_KINDS).optional(),
  family: paramText(64).optional(),
  institutionId: paramText(64).optional(),
  assignee: paramText(200).optional().openapi({ description: 'a person’s name, or "me"' }),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
    .optional(),
  minAgeDays: z.coerce.number().int().min(0).max(10_000).optional(),
  maxAgeDays: z.coerce.number().int().min(0).max(10_000).optional(),
  claimId: paramText(64).optional().openapi({ description: 'the claim’s number, or its beginning' }),
  institution: paramText(100).optional().openapi({ description: 'an institution’s code, or part of its name' }),
  sort: z.enum(QUEUE_SORTS).optional().openapi({ description: 'priority (default), oldest, newest, due, total, amount (not for auditors)' }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const CompletionSchema = z
  .object({
    institutionId: z.string(),
    month: z.string(),
    visitType: z.string(),
    required: z.number().int().openapi({ description: 'the floor: ⌈rate × claims⌉' }),
    sampled: z.number().int().openapi({ description: 'the selection (at least the floor), all of which is re-checked' }),
    drawn: z.number().int().openapi({ description: 'sample cases taken by an auditor' }),
    concluded: z.number().int().openapi({ description: 'sample cases with the first level done (awaiting or past the second review)' }),
    final: z.number().int().openapi({ description: 'sample cases agreed at the second level' }),
    dueAt: z.string().openapi({ description: 'the month’s cut-off + REVIEW_SAMPLE_DUE_DAYS' }),
    overdue: z.boolean().openapi({ description: 'the due date has passed and not every sampled case is concluded' }),
    complete: z.boolean().openapi({ description: 'every sampled case concluded' }),
    closedAt: z.string(),
  })
  .openapi('ReviewRecheckCompletion');

const SampleGroupSchema = z.object({
  institutionId: z.string(),
  visitType: z.string(),
  claims: z.number().int(),
  sampled: z.number().int(),
  rate: z.number(),
  required: z.number().int(),
  met: z.boolean(),
  closedAt: z.string().nullable(),
});

export function registerReviewRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { cases, conflicts } = deps.review;

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

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/appeals',
      tags: TAG,
      summary: 'Appeal a withheld claim: the case gets an appeal reason',
      description: 'One open appeal per claim: a second appeal while one is open adds its reason to it and no money. An institution’s own key (role institution) appeals its own claims only.',
      security: bearerSecurity,
      middleware: [requireRole('settlement', 'admin', 'institution')] as const,
      request: body(
        z
          .object({ institutionId: z.string().min(1).max(64), claimId: z.string().min(1).max(64), reason: text(4000, 'why the withholding is disputed') })
          .strict()
          .openapi('ReviewAppeal'),
      ),
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

  const ConflictSchema = z
    .object({
      id: z.number().int(),
      person: z.string(),
      institutionId: z.string(),
      kind: z.string(),
      note: z.string(),
      declaredBy: z.string(),
      declaredAt: z.string(),
      withdrawnAt: z.string().nullable(),
      withdrawnBy: z.string().nullable(),
    })
    .openapi('ReviewConflict');

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
      request: body(
        z
          .object({
            person: z.string().min(1).max(200).optional(),
            institutionId: z.string().min(1).max(64),
            kind: z.enum(CONFLICT_KINDS),
            note: text(2000, 'what the relation is'),
          })
          .strict()
          .openapi('ReviewConflictDeclaration'),
      ),
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

  const RateSchema = z.object({ precision: z.number().nullable(), concluded: z.number().int(), confirmed: z.number().int() });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/outcomes',
      tags: TAG,
      summary: 'Learning from final outcomes: per-rule precision, per-reason outcomes, and the unflagged violation share from the random sample (95% Wilson interval)',
      security: bearerSecurity,
      middleware: [requireRole(...STAFF)] as const,
      responses: {
        ...ok(
          z
            .object({
              rules: z.array(RateSchema.extend({ ruleId: z.string(), family: z.string() })),
              reasons: z.array(RateSchema.extend({ kind: z.string(), dismissed: z.number().int(), amountRefused: z.string() })),
              sample: z.object({
                concluded: z.number().int(),
                confirmedUnflagged: z.number().int(),
                confirmedFlagged: z.number().int(),
                unflaggedViolationShare: z.object({ estimate: z.number(), low: z.number(), high: z.number() }).nullable(),
              }),
              cases: z.record(z.string(), z.number().int()),
            })
            .openapi('ReviewOutcomes'),
          'Outcomes',
        ),
        ...errorResponses,
      },
    }),
    async (c) => c.json(await reviewOutcomes(deps.database), 200),
  );

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
