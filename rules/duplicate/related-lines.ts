import type { Claim, ClaimLine } from '../claim.js';
import type { History } from '../engine.js';
import type { ReferenceView, RelationRef, RelationWindow } from '../reference.js';

/**
 * Pairs of a main line and a sub line it is related to (an item that includes another, a package
 * and its part), billed by one institution within the relation's window, for the rules that find
 * the sub line billed on top of the main one.
 *
 * Windows, in China Standard Time:
 * - same_hour: the same clock hour (09:00–09:59);
 * - six_hours: service times at most six hours apart, either way;
 * - same_day: the same service date;
 * - same_visit: the same claim; and, when `stayAcrossClaims`, any claim of the same institution
 *   whose period overlaps (or touches) it where one of the two is an inpatient stay, because a
 *   stay is often settled in several interim claims and items are sometimes billed on a separate
 *   outpatient claim during it. Two outpatient claims are two visits.
 */
export interface Located {
  line: ClaimLine;
  claim: Claim;
}

export interface Pair {
  main: Located;
  sub: Located;
  relation: RelationRef;
  window: RelationWindow;
}

export interface PairOptions {
  kind: RelationRef['kind'];
  windowWhenUnspecified: RelationWindow;
  stayAcrossClaims: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CST = 8 * HOUR;

export function sameVisit(a: Claim, b: Claim, stayAcrossClaims: boolean): boolean {
  if (a === b || (a.institutionId === b.institutionId && a.claimNo === b.claimNo)) return true;
  if (!stayAcrossClaims || a.institutionId !== b.institutionId) return false;
  if (a.visitType !== 'inpatient' && b.visitType !== 'inpatient') return false;
  return a.startedAt <= b.endedAt && b.startedAt <= a.endedAt;
}

export function withinWindow(window: RelationWindow, a: Located, b: Located, stayAcrossClaims: boolean): boolean {
  if (a.claim.institutionId !== b.claim.institutionId) return false;
  switch (window) {
    case 'same_hour':
      return Math.floor((a.line.serviceAt + CST) / HOUR) === Math.floor((b.line.serviceAt + CST) / HOUR);
    case 'six_hours':
      return Math.abs(a.line.serviceAt - b.line.serviceAt) <= 6 * HOUR;
    case 'same_day':
      return a.line.serviceDate === b.line.serviceDate;
    case 'same_visit':
      return sameVisit(a.claim, b.claim, stayAcrossClaims);
  }
}

export const WINDOW_TEXT: Record<RelationWindow, { zh: string; en: string }> = {
  same_hour: { zh: '同一小时', en: 'the same hour' },
  six_hours: { zh: '6小时', en: 'six hours' },
  same_day: { zh: '同一日', en: 'the same day' },
  same_visit: { zh: '同一次就诊', en: 'the same visit' },
};

const byCode = (xs: readonly Located[]) => {
  const m = new Map<string, Located[]>();
  for (const x of xs) m.set(x.line.itemCode, [...(m.get(x.line.itemCode) ?? []), x]);
  return m;
};

/**
 * The pairs that involve this claim, grouped by sub line. Relations are looked up by the main
 * line's code. A sub line of an earlier claim that a main line of an earlier claim already pairs
 * with is left out: it was reported when the later of those two arrived, so each sub line is
 * reported once, whichever claim arrives last.
 */
export function pairsBySub(c: Claim, history: History, ref: ReferenceView, opts: PairOptions): Map<Located, Pair[]> {
  if (c.lines.length === 0) return new Map();
  const ms = c.lines.map((l) => l.serviceAt);
  const from = Math.min(...ms) - DAY;
  const to = Math.max(...ms) + DAY;
  const others = history.personClaims.filter((o) => o.institutionId === c.institutionId && o.claimNo !== c.claimNo);
  const mine: Located[] = c.lines.map((line) => ({ line, claim: c }));
  // a line pairs with one of this claim only on the same visit or within a day of it
  const near = (o: Claim, l: ClaimLine) => sameVisit(c, o, opts.stayAcrossClaims) || (l.serviceAt >= from && l.serviceAt <= to);
  const theirs: Located[] = others.flatMap((o) => o.lines.filter((l) => near(o, l)).map((line) => ({ line, claim: o })));
  const mineByCode = byCode(mine);
  const theirsByCode = byCode(theirs);
  const relationsOf = (main: Located) =>
    ref.relationsOfMain(main.line.itemCode, main.line.serviceDate).filter((r) => r.kind === opts.kind && r.subCode !== r.mainCode);
  const windowOf = (r: RelationRef) => r.window ?? opts.windowWhenUnspecified;

  const pairs: Pair[] = [];
  for (const main of mine) {
    for (const relation of relationsOf(main)) {
      const window = windowOf(relation);
      for (const sub of [...(mineByCode.get(relation.subCode) ?? []), ...(theirsByCode.get(relation.subCode) ?? [])]) {
        if (withinWindow(window, main, sub, opts.stayAcrossClaims)) pairs.push({ main, sub, relation, window });
      }
    }
  }
  for (const main of theirs) {
    for (const relation of relationsOf(main)) {
      const window = windowOf(relation);
      for (const sub of mineByCode.get(relation.subCode) ?? []) {
        if (withinWindow(window, main, sub, opts.stayAcrossClaims)) pairs.push({ main, sub, relation, window });
      }
    }
  }

  // a sub line of an earlier claim that a main line of an earlier claim pairs with was reported already
  const reportedBefore = (sub: Located) =>
    others.some((o) =>
      o.lines.some((line) => {
        if (!sameVisit(o, sub.claim, opts.stayAcrossClaims) && Math.abs(line.serviceAt - sub.line.serviceAt) > DAY) return false;
        const main = { line, claim: o };
        return relationsOf(main).some((r) => r.subCode === sub.line.itemCode && withinWindow(windowOf(r), main, sub, opts.stayAcrossClaims));
      }),
    );
  const bySub = new Map<Located, Pair[]>();
  const skip = new Map<Located, boolean>();
  for (const p of pairs.sort((a, b) => a.main.line.serviceAt - b.main.line.serviceAt)) {
    if (p.sub.claim !== c) {
      if (!skip.has(p.sub)) skip.set(p.sub, reportedBefore(p.sub));
      if (skip.get(p.sub)) continue;
    }
    bySub.set(p.sub, [...(bySub.get(p.sub) ?? []), p]);
  }
  return bySub;
}
