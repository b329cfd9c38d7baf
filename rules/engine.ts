import type { Claim } from './claim.js';
import type { Finding, RuleError, RuleStatus, Severity } from './finding.js';

/** Everything a rule may look at besides the claim, assembled before rules run (no I/O in rules). */
export interface History {
  /** the same person's earlier claims, as far back as the longest window any rule needs */
  personClaims: readonly Claim[];
}

export interface Rule {
  id: string;
  version: number;
  family: string;
  severity: Severity;
  status: RuleStatus;
  description: { zh: string; en: string };
  evaluate(claim: Claim, history: History): Omit<Finding, 'ruleId' | 'ruleVersion' | 'family' | 'status'>[];
}

export interface Evaluation {
  findings: Finding[];
  errors: RuleError[];
}

/**
 * Runs every non-retired rule over one claim. A rule that throws becomes an error outcome of that
 * rule and never breaks the screening of the claim.
 */
export function evaluateRules(rules: readonly Rule[], claim: Claim, history: History): Evaluation {
  const findings: Finding[] = [];
  const errors: RuleError[] = [];
  for (const rule of rules) {
    if (rule.status === 'retired') continue;
    try {
      for (const hit of rule.evaluate(claim, history)) {
        findings.push({ ...hit, ruleId: rule.id, ruleVersion: rule.version, family: rule.family, status: rule.status });
      }
    } catch (error) {
      errors.push({ ruleId: rule.id, ruleVersion: rule.version, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { findings, errors };
}
