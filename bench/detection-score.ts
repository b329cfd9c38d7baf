import type { ViolationTruth } from '../sim/types.js';

/**
 * Findings against the simulator's truth, per rule family, counted by (claim, family).
 *
 * - A truth label is **recalled** when the labelled claim carries a finding of the label's family
 *   (its own, or one filed on it retrospectively when a later claim revealed the conflict).
 * - A finding of family F on claim C is **true** when a label of family F is on C: C's lines are
 *   the faulty ones. A finding on a claim a label only names as its other claim (the earlier stay
 *   of an overlap, the visit seen during a stay, the original of a resubmitted copy, the first test
 *   of a cycle) is false: that claim has no faulty lines and gets a reference, not a finding
 *   (issue 15, item 2).
 * - Lines: a recalled label whose lines are all among the violating or involved lines of the
 *   same-family findings on that claim.
 * Everything else found is a false finding; the clean month must have none at all.
 */
export interface FoundRow {
  institutionId: string;
  claimId: string;
  family: string;
  ruleId: string;
  retrospective: boolean;
  violatingLines: string[];
  involvedLines: string[];
  message: string;
}

export interface FamilyScore {
  family: string;
  labels: number;
  recalled: number;
  linesRecalled: number;
  /** distinct (claim, family) found */
  found: number;
  trueFound: number;
  recall: number;
  precision: number;
}

export interface Score {
  families: FamilyScore[];
  missed: ViolationTruth[];
  falseFindings: FoundRow[];
}

const key = (institutionId: string, claimId: string, family: string) => `${institutionId}|${claimId}|${family}`;

export function score(truths: readonly ViolationTruth[], found: readonly FoundRow[]): Score {
  const named = new Set<string>();
  for (const t of truths) named.add(key(t.claim.institutionId, t.claim.claimId, t.family));
  const foundByKey = new Map<string, FoundRow[]>();
  for (const f of found) {
    const k = key(f.institutionId, f.claimId, f.family);
    const list = foundByKey.get(k);
    if (list) list.push(f);
    else foundByKey.set(k, [f]);
  }

  const families = new Map<string, FamilyScore>();
  const row = (family: string) => {
    let r = families.get(family);
    if (!r) families.set(family, (r = { family, labels: 0, recalled: 0, linesRecalled: 0, found: 0, trueFound: 0, recall: 1, precision: 1 }));
    return r;
  };
  const missed: ViolationTruth[] = [];
  for (const t of truths) {
    const r = row(t.family);
    r.labels++;
    const hits = foundByKey.get(key(t.claim.institutionId, t.claim.claimId, t.family));
    if (!hits) {
      missed.push(t);
      continue;
    }
    r.recalled++;
    const shown = new Set(hits.flatMap((h) => [...h.violatingLines, ...h.involvedLines]));
    if (t.lines.every((l) => shown.has(l))) r.linesRecalled++;
  }
  const falseFindings: FoundRow[] = [];
  for (const [k, rows] of foundByKey) {
    const first = rows[0] as FoundRow;
    const r = row(first.family);
    r.found++;
    if (named.has(k)) r.trueFound++;
    else falseFindings.push(...rows);
  }
  for (const r of families.values()) {
    r.recall = r.labels === 0 ? 1 : r.recalled / r.labels;
    r.precision = r.found === 0 ? 1 : r.trueFound / r.found;
  }
  return { families: [...families.values()].sort((a, b) => a.family.localeCompare(b.family)), missed, falseFindings };
}
