/** What a rule reports. Definite violations are withheld; suspicions go to review. */
export type Severity = 'violation' | 'high' | 'medium' | 'low';
export type RuleStatus = 'active' | 'trial' | 'retired';

export interface ClaimRef {
  institutionId: string;
  claimId: string;
  /**
   * that claim's lines in the finding. When the finding has no violating lines of the claim
   * screened, the one ref with lines names the claim at fault and its violating lines (see
   * `faultyClaim`); otherwise a ref's lines are involved lines of that claim.
   */
  lines?: string[];
}

export interface Finding {
  ruleId: string;
  ruleVersion: number;
  family: string;
  severity: Severity;
  /** a trial rule reports what it would have withheld but never withholds */
  status: Exclude<RuleStatus, 'retired'>;
  message: { zh: string; en: string };
  violatingLines: string[];
  involvedLines: string[];
  otherClaims: ClaimRef[];
  amountFen: number;
}

/**
 * The claim whose lines break the rule, and so carries the finding and its amount: the claim
 * screened (undefined) when the finding has violating lines there or names no other claim's lines;
 * else the one other claim whose lines it names (a finding filed retrospectively on that claim).
 * Every other claim a finding names is only referred to: it opens no case and counts no amount.
 */
export function faultyClaim(f: Pick<Finding, 'violatingLines' | 'otherClaims'>): ClaimRef | undefined {
  if (f.violatingLines.length > 0) return undefined;
  return f.otherClaims.find((r) => r.lines !== undefined && r.lines.length > 0);
}

export interface RuleError {
  ruleId: string;
  ruleVersion: number;
  message: string;
}
