/** What a rule reports. Definite violations are withheld; suspicions go to review. */
export type Severity = 'violation' | 'high' | 'medium' | 'low';
export type RuleStatus = 'active' | 'trial' | 'retired';

export interface ClaimRef {
  institutionId: string;
  claimId: string;
  /** that claim's lines in the finding; when the violating line is in the other claim, it gets the finding too */
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

export interface RuleError {
  ruleId: string;
  ruleVersion: number;
  message: string;
}
