import type { Claim } from './claim.js';
import { faultyClaim, type Finding } from './finding.js';

export type Decision = 'pass' | 'review' | 'withhold';

export interface ClaimDecision {
  decision: Decision;
  withheldLines: { lineId: string; amountFen: number }[];
  withheldFen: number;
  payableFen: number;
  /** findings that route the claim to review: active suspicions */
  reviewReasons: string[];
}

/**
 * Turns findings into the settlement answer: definite violations of active rules withhold their
 * amount from the violating lines (never more than a line's own amount, however many findings
 * name it); active suspicions route the claim to review; trial rules change nothing. A finding
 * whose faulty lines are another claim's (`faultyClaim`) changes nothing on this claim.
 */
export function decide(claim: Claim, findings: readonly Finding[]): ClaimDecision {
  // the lines' amounts by id, made for the first violation only: most claims have none
  let lineAmount: Map<string, number> | undefined;
  const withheld = new Map<string, number>();
  // each rule once, in the order of its first finding
  const reviewReasons: string[] = [];

  for (const f of findings) {
    // a finding whose faulty lines are another claim's is filed on that claim: this one is innocent
    if (f.status !== 'active' || faultyClaim(f)) continue;
    if (f.severity !== 'violation') {
      if (!reviewReasons.includes(f.ruleId)) reviewReasons.push(f.ruleId);
      continue;
    }
    lineAmount ??= new Map(claim.lines.map((l) => [l.lineId, l.amountFen]));
    let remaining = f.amountFen;
    for (const lineId of f.violatingLines) {
      const cap = (lineAmount.get(lineId) ?? 0) - (withheld.get(lineId) ?? 0);
      const take = Math.min(cap, remaining);
      if (take <= 0) continue;
      withheld.set(lineId, (withheld.get(lineId) ?? 0) + take);
      remaining -= take;
    }
  }

  // Arrays that may be empty are filled from a literal, not made by map, filter or spread: an empty
  // array made by a builtin has another map than a filled one, so code optimised on one kind was
  // deoptimised ("wrong map") at the first claim with the other, and compiled again; the arrays of
  // one literal are all made of the kind its arrays have taken.
  const withheldLines: { lineId: string; amountFen: number }[] = [];
  let withheldFen = 0;
  for (const [lineId, amountFen] of withheld) {
    withheldLines.push({ lineId, amountFen });
    withheldFen += amountFen;
  }
  const decision: Decision = withheldFen > 0 ? 'withhold' : reviewReasons.length > 0 ? 'review' : 'pass';
  return {
    decision,
    withheldLines,
    withheldFen,
    payableFen: claim.totalFen - withheldFen,
    reviewReasons,
  };
}
