import type { Claim, ClaimLine } from '../claim.js';
import type { RuleHit } from '../engine.js';
import type { ClaimRef } from '../finding.js';

/**
 * What count limits (units a day, times a cycle, course length) share: the lines of one item for
 * one person, put in service-time order, and the part of each line beyond the limit.
 *
 * Claims arrive late and out of order, so a limit is judged on the whole set of lines known, and
 * each screening reports only what its claim adds: a line's share beyond the limit with every
 * line counted, less its share with the other claims alone. The share functions here never fall
 * when a line is added (adding lines only raises counts and moves course starts earlier), so what
 * is added is never negative and, summed over the claims in whatever order they arrive, comes to
 * the share of the whole set: the same lines are found over the limit, once, in any arrival order.
 * A line of an earlier claim that comes out over the limit is reported on that claim
 * (retrospectively), not on the claim being screened.
 */
export interface Occurrence {
  line: ClaimLine;
  claim: Claim;
  /** in the claim being screened */
  current: boolean;
}

export const DAY_MS = 86_400_000;
/** Days since the epoch of a yyyy-MM-dd date. */
export const dayIndex = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
export const dateOfIndex = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Service time, then a tie-break that does not depend on which claim arrived first. */
export const byServiceTime = (a: Occurrence, b: Occurrence) =>
  a.line.serviceAt - b.line.serviceAt || cmp(a.claim.institutionId, b.claim.institutionId) || cmp(a.claim.claimNo, b.claim.claimNo) || a.line.lineNo - b.line.lineNo;

/** Lines of one item in the claim and the given other claims, in service-time order; refunds (quantity ≤ 0) left out. */
export function occurrences(c: Claim, others: readonly Claim[], itemCode: string, accept: (l: ClaimLine) => boolean): Occurrence[] {
  const out: Occurrence[] = [];
  for (const claim of [c, ...others]) {
    for (const line of claim.lines) {
      if (line.itemCode === itemCode && line.quantity > 0 && accept(line)) out.push({ line, claim, current: claim === c });
    }
  }
  return out.sort(byServiceTime);
}

/**
 * Units beyond `limit` for each line, counting every earlier line (in the given order) that
 * `together` puts in the same window as it. Quantities and the limit are both scaled by 10^4.
 */
export function cumulativeExcess(occs: readonly Occurrence[], limit: number, together: (earlier: Occurrence, later: Occurrence) => boolean) {
  const excess = new Map<Occurrence, number>();
  occs.forEach((o, k) => {
    let sum = 0;
    for (let j = 0; j <= k; j++) if (j === k || together(occs[j]!, o)) sum += occs[j]!.line.quantity;
    excess.set(o, Math.min(o.line.quantity, Math.max(0, sum - limit)));
  });
  return excess;
}

export interface Excess {
  occ: Occurrence;
  /** newly beyond the limit, in the unit `whole` is in */
  units: number;
  amountFen: number;
}

/**
 * What the claim being screened adds beyond the limit: `share` maps lines to their part beyond it
 * (in the unit of `whole`, the line's full extent), computed with and without this claim's lines.
 */
export function newlyBeyond(all: readonly Occurrence[], share: (occs: Occurrence[]) => Map<Occurrence, number>, whole: (o: Occurrence) => number): Excess[] {
  const after = share([...all]);
  const before = share(all.filter((o) => !o.current));
  const out: Excess[] = [];
  for (const o of all) {
    const a = after.get(o) ?? 0;
    const b = o.current ? 0 : (before.get(o) ?? 0);
    if (a <= b) continue;
    const w = whole(o);
    const amountFen = Math.round((o.line.amountFen * a) / w) - Math.round((o.line.amountFen * b) / w);
    out.push({ occ: o, units: a - b, amountFen });
  }
  return out;
}

export const ref = (claim: Claim, lines?: string[]): ClaimRef =>
  lines ? { institutionId: claim.institutionId, claimId: claim.claimNo, lines } : { institutionId: claim.institutionId, claimId: claim.claimNo };

/**
 * Hits for what is newly beyond the limit: one for this claim's lines, and one per earlier claim
 * whose lines came out beyond it (violatingLines empty, that claim's lines in its ref, and no
 * lines in the other refs, so the amount goes to that claim alone).
 */
export function beyondLimitHits(c: Claim, all: readonly Occurrence[], beyond: readonly Excess[], message: (target: Claim, excess: Excess[]) => { zh: string; en: string }): RuleHit[] {
  const byClaim = new Map<Claim, Excess[]>();
  for (const e of beyond) byClaim.set(e.occ.claim, [...(byClaim.get(e.occ.claim) ?? []), e]);
  const contributing = [...new Set(all.filter((o) => !o.current).map((o) => o.claim))];
  const currentLines = all.filter((o) => o.current).map((o) => o.line.lineId);
  return [...byClaim].map(([target, excess]) => {
    const ids = excess.map((e) => e.occ.line.lineId);
    const amountFen = excess.reduce((s, e) => s + e.amountFen, 0);
    if (target === c) {
      return {
        message: message(target, excess),
        violatingLines: ids,
        involvedLines: currentLines.filter((id) => !ids.includes(id)),
        otherClaims: contributing.map((o) => ref(o)),
        amountFen,
      };
    }
    return {
      message: message(target, excess),
      violatingLines: [],
      involvedLines: currentLines,
      otherClaims: [ref(target, ids), ...contributing.filter((o) => o !== target).map((o) => ref(o))],
      amountFen,
    };
  });
}

/** "1 day" / "2 days" */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "line L2" / "lines L2, L3" of this claim or of claim C1, in both languages. */
export function whereLines(c: Claim, target: Claim, ids: readonly string[]) {
  const list = ids.join(', ');
  return target === c
    ? { zh: `本结算单行 ${list}`, en: `line${ids.length > 1 ? 's' : ''} ${list} of this claim` }
    : { zh: `结算单 ${target.claimNo} (${target.institutionId}) 行 ${list}`, en: `line${ids.length > 1 ? 's' : ''} ${list} of claim ${target.claimNo} (${target.institutionId})` };
}
