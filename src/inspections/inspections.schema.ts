import { z } from '@hono/zod-openapi';
import { catalogue } from '../../rules/catalogue.js';
import { fenFrom } from '../lib/money.js';
import { parseDate } from '../lib/time.js';

export const FINDING_FAMILIES = [...new Set(catalogue.map((r) => r.family as string)), 'fictitious-service', 'forged-records', 'card-misuse', 'other'].sort();

const date = z.string().refine((s) => parseDate(s) !== undefined, 'must be a date yyyy-MM-dd');

export const DrawRequestSchema = z
  .object({
    kind: z
      .enum(['audit-weeks', 'double-random'])
      .openapi({ description: 'audit-weeks: the special audit weeks (the last two weeks of a quarter); double-random: a routine 双随机 draw over a window' }),
    title: z.string().min(1).max(200).optional(),
    quarter: z
      .string()
      .regex(/^\d{4}-Q[1-4]$/, 'must be a quarter yyyy-Qn')
      .optional()
      .openapi({ example: '2026-Q4', description: 'required for audit-weeks' }),
    from: date.optional().openapi({ description: 'double-random: first day of the inspection window' }),
    to: date.optional().openapi({ description: 'double-random: last day of the inspection window' }),
    count: z.number().int().min(1).max(1000).openapi({ description: 'how many institutions to draw' }),
    weighting: z.enum(['uniform', 'risk']).default('uniform').openapi({ description: 'risk: weighted by the provider model’s scores, as stated in the draw' }),
    riskMonth: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month yyyy-MM')
      .optional()
      .openapi({ description: 'the scored month to weight by; default the month before the window' }),
    filter: z
      .object({ type: z.enum(['hospital', 'clinic', 'pharmacy']).optional(), level: z.enum(['primary', 'secondary', 'tertiary', 'none']).optional(), area: z.string().min(1).max(32).optional() })
      .strict()
      .optional(),
    inspectors: z.array(z.string().min(1).max(200)).min(2).max(500).optional().openapi({ description: 'the inspectors to draw from; default every active auditor and supervisor' }),
    seed: z.string().min(16, 'must be at least 16 characters').max(200).optional().openapi({ description: 'default: 24 random bytes, recorded with the draw' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.kind === 'audit-weeks' && !b.quarter) ctx.addIssue({ code: 'custom', path: ['quarter'], message: 'is required for audit-weeks' });
    if (b.kind === 'double-random') {
      if (!b.from) ctx.addIssue({ code: 'custom', path: ['from'], message: 'is required for double-random' });
      if (!b.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'is required for double-random' });
      if (b.from && b.to && b.to < b.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    }
  })
  .openapi('InspectionDrawRequest');

export const InspectionSchema = z
  .object({
    id: z.string(),
    drawId: z.string(),
    rank: z.number().int(),
    institutionId: z.string(),
    institutionName: z.string().nullable(),
    inspectors: z.array(z.string()),
    outcome: z.enum(['violations-found', 'no-violation']).nullable(),
    concludedBy: z.string().nullable(),
    concludedAt: z.string().nullable(),
  })
  .openapi('Inspection');

export const InspectionFindingSchema = z
  .object({
    id: z.number().int(),
    inspectionId: z.string(),
    family: z.string(),
    amount: z.string(),
    note: z.string(),
    corrects: z.number().int().nullable(),
    recordedBy: z.string(),
    recordedAt: z.string(),
  })
  .openapi('InspectionFinding');

export const DrawSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['audit-weeks', 'double-random']),
    title: z.string(),
    quarter: z.string().nullable(),
    window: z.object({ from: z.string(), to: z.string() }),
    seed: z.string(),
    weighting: z.object({ method: z.enum(['uniform', 'risk']), month: z.string().optional(), basis: z.string().optional(), formula: z.string().optional() }),
    pool: z.array(z.object({ institutionId: z.string(), weight: z.number() })),
    inspectorPool: z.array(z.string()),
    conflicts: z.array(z.object({ personId: z.string(), institutionId: z.string() })),
    count: z.number().int(),
    resultHash: z.string(),
    drawnBy: z.string(),
    drawnAt: z.string(),
    inspections: z.array(InspectionSchema),
  })
  .openapi('InspectionDraw');

export const FindingRequestSchema = z
  .object({
    family: z.enum(FINDING_FAMILIES as [string, ...string[]]),
    amount: z
      .union([z.string(), z.number()])
      .refine((v) => {
        const f = fenFrom(v);
        return f !== undefined && f >= 0;
      }, 'must be a non-negative amount with at most two decimals')
      .openapi({ description: 'amount at issue, yuan' }),
    note: z.string().min(1, 'must say what was found').max(4000).openapi({ description: 'internal: never published' }),
    corrects: z.number().int().min(1).optional().openapi({ description: 'the id of an earlier finding of this inspection that this entry replaces' }),
  })
  .strict()
  .openapi('InspectionFindingRequest');

export const ConclusionRequestSchema = z
  .object({ outcome: z.enum(['violations-found', 'no-violation']) })
  .strict()
  .openapi('InspectionConclusion');

export const PublicSummarySchema = z
  .object({
    drawId: z.string(),
    title: z.string(),
    kind: z.string(),
    quarter: z.string().nullable(),
    window: z.object({ from: z.string(), to: z.string() }),
    method: z.object({
      selection: z.string(),
      weighting: z.object({ method: z.string(), month: z.string().optional(), basis: z.string().optional(), formula: z.string().optional() }),
      poolSize: z.number().int(),
      drawn: z.number().int(),
      inspectorsPerInstitution: z.number().int(),
      seed: z.string(),
      resultHash: z.string(),
    }),
    drawnAt: z.string(),
    institutions: z.array(
      z.object({
        rank: z.number().int(),
        institutionId: z.string(),
        institutionName: z.string(),
        status: z.enum(['concluded', 'in-progress']),
        outcome: z.enum(['violations-found', 'no-violation']).nullable(),
        findings: z.array(z.object({ family: z.string(), count: z.number().int(), amount: z.string() })),
        amount: z.string(),
      }),
    ),
    totals: z.object({ inspected: z.number().int(), concluded: z.number().int(), withViolations: z.number().int(), amount: z.string() }),
  })
  .openapi('InspectionPublicSummary');
