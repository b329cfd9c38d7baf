import { randomUUID } from 'node:crypto';
import type { Claim } from '../../rules/claim.js';
import type { Finding } from '../../rules/finding.js';
import { formatFen } from '../lib/money.js';

/** A finding as stored: on its own claim, or retrospectively on an earlier claim it names. */
export interface StoredFinding {
  id: string;
  rule: string;
  ver: number;
  fam: string;
  sev: string;
  st: string;
  msg: Finding['message'];
  vl: string[];
  il: string[];
  oc: Finding['otherClaims'];
  amt: string;
}

export interface RetrospectiveFinding extends StoredFinding {
  inst: string;
  cno: string;
}

const stored = (f: Finding, over: Partial<StoredFinding> = {}): StoredFinding => ({
  id: randomUUID(),
  rule: f.ruleId,
  ver: f.ruleVersion,
  fam: f.family,
  sev: f.severity,
  st: f.status,
  msg: f.message,
  vl: f.violatingLines,
  il: f.involvedLines,
  oc: f.otherClaims,
  amt: formatFen(f.amountFen),
  ...over,
});

/**
 * Claims arrive late and out of order: when a finding names an earlier claim, that claim gets the
 * finding too, so it is visible on it and queued for review. The amount at issue goes with the
 * violating lines: to the earlier claim when its lines are the violating ones.
 */
export function splitFindings(claim: Claim, findings: readonly Finding[]) {
  const own = findings.map((f) => stored(f));
  const retrospective: RetrospectiveFinding[] = [];
  for (const f of findings) {
    for (const ref of f.otherClaims) {
      const theirLines = ref.lines ?? [];
      const violatorIsEarlier = theirLines.length > 0 && f.violatingLines.length === 0;
      retrospective.push({
        ...stored(f, {
          vl: violatorIsEarlier ? theirLines : [],
          il: violatorIsEarlier ? [] : theirLines,
          oc: [{ institutionId: claim.institutionId, claimId: claim.claimNo, lines: [...f.violatingLines, ...f.involvedLines] }],
          amt: formatFen(violatorIsEarlier ? f.amountFen : 0),
        }),
        inst: ref.institutionId,
        cno: ref.claimId,
      });
    }
  }
  return { own, retrospective };
}
