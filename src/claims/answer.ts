import { z } from '@hono/zod-openapi';
import type { Claim } from '../../rules/claim.js';
import type { ClaimDecision } from '../../rules/decide.js';
import type { Finding } from '../../rules/finding.js';
import { formatFen } from '../lib/money.js';
import { cstMonth, isoInstant } from '../lib/time.js';

export const FindingSchema = z
  .object({
    id: z.string().uuid().openapi({ description: 'the finding id (the national interface’s warn_rslt_id)' }),
    ruleId: z.string(),
    ruleVersion: z.number().int(),
    family: z.string(),
    severity: z.enum(['violation', 'high', 'medium', 'low']),
    status: z.enum(['active', 'trial']),
    message: z.object({ zh: z.string(), en: z.string() }),
    violatingLines: z.array(z.string()),
    involvedLines: z.array(z.string()),
    otherClaims: z.array(z.object({ institutionId: z.string(), claimId: z.string(), lines: z.array(z.string()).optional() })),
    amount: z.string().openapi({ example: '36.00' }),
  })
  .openapi('Finding');

/** A finding carried by another claim that names this one (the claim at fault is the other). */
export const ClaimReferenceSchema = z
  .object({
    id: z.string().uuid(),
    findingId: z.string().uuid(),
    relation: z.enum(['later', 'earlier', 'found-later']).openapi({
      description:
        'the claim carrying the finding was received later than this one; earlier (the finding filed on it when this claim arrived); or earlier, filed on it when a third claim (foundBy) arrived',
    }),
    ruleId: z.string(),
    ruleVersion: z.number().int(),
    family: z.string(),
    severity: z.string(),
    findingClaim: z.object({ institutionId: z.string(), claimId: z.string() }).openapi({ description: 'the claim carrying the finding and its amount' }),
    foundBy: z.object({ institutionId: z.string(), claimId: z.string() }),
    lines: z.array(z.string()).openapi({ description: 'this claim’s lines the finding names' }),
    message: z.object({ zh: z.string(), en: z.string() }),
    referredAt: z.string(),
  })
  .openapi('ClaimReference');

export const ClaimAnswerSchema = z
  .object({
    id: z.string().uuid().openapi({ description: 'the stored claim id' }),
    institutionId: z.string(),
    claimId: z.string(),
    decision: z.enum(['pass', 'review', 'withhold']),
    totalAmount: z.string().openapi({ example: '1260.50' }),
    payableAmount: z.string().openapi({ example: '1224.50' }),
    withheldAmount: z.string().openapi({ example: '36.00' }),
    withheldLines: z.array(z.object({ lineId: z.string(), amount: z.string() })),
    findings: z.array(FindingSchema),
    serviceMonth: z.string().openapi({ example: '2026-10', description: 'China Standard Time month of the visit start' }),
    screenedAt: z.string(),
  })
  .openapi('ClaimAnswer');

export type ClaimAnswer = z.infer<typeof ClaimAnswerSchema>;

export function buildAnswer(args: {
  id: string;
  claim: Claim;
  findings: readonly Finding[];
  /** the stored id of each finding, in the same order */
  findingIds: readonly string[];
  decision: ClaimDecision;
  screenedAt: number;
}): ClaimAnswer {
  const { claim, decision } = args;
  // filled from literals rather than made by map: see rules/decide.ts
  const withheldLines: ClaimAnswer['withheldLines'] = [];
  for (const l of decision.withheldLines) withheldLines.push({ lineId: l.lineId, amount: formatFen(l.amountFen) });
  const findings: ClaimAnswer['findings'] = [];
  for (let i = 0; i < args.findings.length; i++) {
    const { amountFen, ...f } = args.findings[i]!;
    findings.push({ id: args.findingIds[i] ?? '', ...f, amount: formatFen(amountFen) });
  }
  return {
    id: args.id,
    institutionId: claim.institutionId,
    claimId: claim.claimNo,
    decision: decision.decision,
    totalAmount: formatFen(claim.totalFen),
    payableAmount: formatFen(decision.payableFen),
    withheldAmount: formatFen(decision.withheldFen),
    withheldLines,
    findings,
    serviceMonth: cstMonth(claim.startedAt),
    screenedAt: isoInstant(args.screenedAt),
  };
}
