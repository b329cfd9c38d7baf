import type { Claim } from '../../rules/claim.js';
import { decide, type ClaimDecision } from '../../rules/decide.js';
import { evaluateRules, type AnyRule, type RuleOverrideView } from '../../rules/engine.js';
import type { Finding } from '../../rules/finding.js';
import { cstDate } from '../lib/time.js';
import type { ProviderScoreRef } from '../../rules/provider-model/score-ref.js';
import type { AcceptedStay, HistoryReader } from './history.repository.js';
import type { ReferenceCache } from './reference-cache.js';

export interface AssessContext {
  rules: readonly AnyRule[];
  ruleOverrides: (ruleId: string) => RuleOverrideView | undefined;
  history: HistoryReader;
  reference: ReferenceCache;
  onRuleError?: (ruleId: string, message: string, context: { ruleVersion: number; month: string }) => void;
  /** the institution's latest provider-model score, from memory */
  providerScores?: { latest(institutionId: string): ProviderScoreRef | undefined };
}

export interface Assessment {
  findings: Finding[];
  decision: ClaimDecision;
  /** the person's version when the history was read (the claim's write checks it) */
  personVersion: number;
}

/**
 * Runs the rules over one claim with its stored history, plus any earlier visits the caller sent
 * along (the national interface sends them), without storing anything. `stay`: the claim's place
 * among the stays accepted for storing (its census counts the stays accepted before it).
 */
export async function assessClaim(ctx: AssessContext, claim: Claim, sentHistory: readonly Claim[] = [], stay?: AcceptedStay): Promise<Assessment> {
  const { history, stock, personVersion, register, purchasePrices } = await ctx.history.forClaim(claim, stay);
  // the intake sends no history: its stored history is taken as read, without a key set and a copy a claim
  let personClaims = history.personClaims;
  if (sentHistory.length > 0) {
    const stored = new Set(history.personClaims.map((c) => `${c.institutionId}|${c.claimNo}`));
    personClaims = [...history.personClaims, ...sentHistory.filter((c) => !stored.has(`${c.institutionId}|${c.claimNo}`))];
  }
  const { findings, errors } = evaluateRules(ctx.rules, {
    claim,
    history: { ...history, personClaims, providerScore: ctx.providerScores?.latest(claim.institutionId) },
    reference: ctx.reference.view(stock, { personHash: claim.personHash, versions: register ?? [] }, purchasePrices),
    overrides: ctx.ruleOverrides,
    serviceDate: cstDate(claim.startedAt),
    today: cstDate(Date.now()),
  });
  const month = cstDate(claim.startedAt).slice(0, 7);
  for (const e of errors) ctx.onRuleError?.(e.ruleId, e.message, { ruleVersion: e.ruleVersion, month });
  return { findings, decision: decide(claim, findings), personVersion };
}
