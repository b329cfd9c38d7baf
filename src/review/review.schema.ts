import { z } from '@hono/zod-openapi';
import { ClaimReferenceSchema } from '../claims/answer.js';
import { paramText } from '../http/schemas.js';
import { CASE_STATUSES, QUEUE_SORTS, REASON_KINDS } from './cases.js';
import { CONFLICT_KINDS } from './conflicts.js';
import { REFUSAL_CODES, REFUSAL_LABELS } from './refusal-codes.js';

/** The review API's bodies, queries and answers; the review pages validate their forms with the same schemas. */
const Fen = z.string().openapi({ example: '36.00' });
export const RefusalLineSchema = z
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
export const AppealSchema = z
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

export const CaseSchema = z
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

export const TrailEntrySchema = z
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

export const CaseDetailSchema = z
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

export const CaseIdParam = z.object({
  caseId: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'caseId', in: 'path' }, example: 1 }),
});
export const MonthParam = z.object({
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

export const CompletionSchema = z
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

export const SampleGroupSchema = z.object({
  institutionId: z.string(),
  visitType: z.string(),
  claims: z.number().int(),
  sampled: z.number().int(),
  rate: z.number(),
  required: z.number().int(),
  met: z.boolean(),
  closedAt: z.string().nullable(),
});

export const AppealBody = z
  .object({ institutionId: z.string().min(1).max(64), claimId: z.string().min(1).max(64), reason: text(4000, 'why the withholding is disputed') })
  .strict()
  .openapi('ReviewAppeal');

export const ConflictSchema = z
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

export const ConflictDeclarationBody = z
  .object({
    person: z.string().min(1).max(200).optional(),
    institutionId: z.string().min(1).max(64),
    kind: z.enum(CONFLICT_KINDS),
    note: text(2000, 'what the relation is'),
  })
  .strict()
  .openapi('ReviewConflictDeclaration');

const RateSchema = z.object({ precision: z.number().nullable(), concluded: z.number().int(), confirmed: z.number().int() });

export const OutcomesSchema = z
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
  .openapi('ReviewOutcomes');
