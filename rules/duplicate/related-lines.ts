import type { Claim, ClaimLine } from '../claim.js';
import { relationsOfKind, type ClaimFacts } from '../facts.js';
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
  for (const x of xs) {
    const list = m.get(x.line.itemCode);
    if (list) list.push(x);
    else m.set(x.line.itemCode, [x]);
  }
  return m;
};

/**
 * The pairs that involve this claim, grouped by sub line. Relations are looked up by the main
 * line's code. A sub line of an earlier claim that a main line of an earlier claim already pairs
 * with is left out: it was reported when the later of those two arrived, so each sub line is
 * reported once, whichever claim arrives last.
 */
// no pair: one shared empty map, never to be changed
const NO_PAIRS: ReadonlyMap<Located, Pair[]> = new Map();

/** the options of a rule's parameters (kept for the parameters object: one object a claim was spread from the same defaults) */
const optionsOf = new WeakMap<object, Partial<Record<RelationRef['kind'], PairOptions>>>();
export function pairOptions(kind: RelationRef['kind'], params: Omit<PairOptions, 'kind'>): PairOptions {
  let byKind = optionsOf.get(params);
  if (byKind === undefined) optionsOf.set(params, (byKind = {}));
  return (byKind[kind] ??= { kind, ...params });
}

export function pairsBySub(c: Claim, facts: ClaimFacts, ref: ReferenceView, opts: PairOptions): ReadonlyMap<Located, Pair[]> {
  if (c.lines.length === 0) return NO_PAIRS;
  const others = facts.othersHere;
  // Every pair comes from a relation of its main line's code, and the main line is one of this
  // claim's or one of the lines gathered below: when none of them is the main item of a relation
  // of this kind (most claims), there is no pair, and nothing is allocated to find that out.
  if (!facts.hasMainOf(opts.kind) && others.length === 0) return NO_PAIRS;
  let from = Infinity;
  let to = -Infinity;
  for (const l of c.lines) {
    if (l.serviceAt < from) from = l.serviceAt;
    if (l.serviceAt > to) to = l.serviceAt;
  }
  from -= DAY;
  to += DAY;
  const isMainOfKind = (line: ClaimLine) => relationsOfKind(ref.relationsOfMain(line.itemCode, line.serviceDate), opts.kind).length > 0;
  const othersHaveMain = () =>
    others.some((o) => {
      const visit = sameVisit(c, o, opts.stayAcrossClaims);
      return o.lines.some((line) => (visit || (line.serviceAt >= from && line.serviceAt <= to)) && isMainOfKind(line));
    });
  if (!facts.hasMainOf(opts.kind) && !othersHaveMain()) return NO_PAIRS;
  const mine: Located[] = c.lines.map((line) => ({ line, claim: c }));
  // a line pairs with one of this claim only on the same visit or within a day of it
  const theirs: Located[] = [];
  for (const o of others) {
    const visit = sameVisit(c, o, opts.stayAcrossClaims);
    for (const line of o.lines) if (visit || (line.serviceAt >= from && line.serviceAt <= to)) theirs.push({ line, claim: o });
  }
  const mineByCode = byCode(mine);
  const theirsByCode = byCode(theirs);
  const relationsOf = (line: ClaimLine) => relationsOfKind(ref.relationsOfMain(line.itemCode, line.serviceDate), opts.kind);
  const windowOf = (r: RelationRef) => r.window ?? opts.windowWhenUnspecified;

  const pairs: Pair[] = [];
  const pairWith = (main: Located, subs: readonly Located[] | undefined, relation: RelationRef, window: RelationWindow) => {
    for (const sub of subs ?? []) if (withinWindow(window, main, sub, opts.stayAcrossClaims)) pairs.push({ main, sub, relation, window });
  };
  const mainRelations = facts.mainRelations(opts.kind);
  for (let i = 0; i < mine.length; i++) {
    const main = mine[i]!;
    for (const relation of mainRelations[i]!) {
      pairWith(main, mineByCode.get(relation.subCode), relation, windowOf(relation));
      pairWith(main, theirsByCode.get(relation.subCode), relation, windowOf(relation));
    }
  }
  for (const main of theirs) {
    for (const relation of relationsOf(main.line)) pairWith(main, mineByCode.get(relation.subCode), relation, windowOf(relation));
  }

  // A sub line of an earlier claim that a main line of an earlier claim pairs with was reported
  // already. Such a main is within a day of the sub line or on the same visit as its claim.
  const reported = new Set<Located>();
  const subClaims = [...new Set(pairs.map((p) => p.sub.claim).filter((o) => o !== c))];
  if (subClaims.length > 0) {
    const subTimes = pairs.filter((p) => p.sub.claim !== c).map((p) => p.sub.line.serviceAt);
    const lo = Math.min(...subTimes) - DAY;
    const hi = Math.max(...subTimes) + DAY;
    for (const o of others) {
      const visit = subClaims.some((v) => sameVisit(o, v, opts.stayAcrossClaims));
      for (const line of o.lines) {
        if (!visit && (line.serviceAt < lo || line.serviceAt > hi)) continue;
        const main = { line, claim: o };
        for (const r of relationsOf(line)) {
          for (const sub of theirsByCode.get(r.subCode) ?? []) if (withinWindow(windowOf(r), main, sub, opts.stayAcrossClaims)) reported.add(sub);
        }
      }
    }
  }
  const bySub = new Map<Located, Pair[]>();
  for (const p of pairs.sort((a, b) => a.main.line.serviceAt - b.main.line.serviceAt)) {
    if (reported.has(p.sub)) continue;
    const list = bySub.get(p.sub);
    if (list) list.push(p);
    else bySub.set(p.sub, [p]);
  }
  return bySub;
}
