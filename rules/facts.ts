import type { Claim, ClaimLine } from './claim.js';
import type { CatalogueItemRef, InstitutionRef, ReferenceView, RelationRef, Restrictions, StockRef } from './reference.js';
import { cstMonth } from './dates.js';

/** The claim's lines of one item code on one service date, in the claim's line order. */
export interface CodeDay {
  code: string;
  date: string;
  /** the index in `claim.lines` of the group's first line */
  index: number;
  lines: ClaimLine[];
  /** the sum of the group's positive quantities (refunds left out), scaled by 10^4 */
  quantity: number;
}

/** The restrictions a rule may skip a claim for when none of its items sets them. */
const RESTRICTIONS = ['sex', 'minAgeYears', 'maxAgeYears', 'careSettings', 'minInstitutionLevel', 'unitsPerDay', 'timesPerCycle', 'courseDays', 'lookAlikeOf'] as const;
export type RestrictionKey = (typeof RESTRICTIONS)[number];
// an item's restrictions as bits, worked out once per record (a snapshot's merged items are shared by every claim)
const masks = new WeakMap<Restrictions, number>();
function maskOf(r: Restrictions): number {
  let m = masks.get(r);
  if (m === undefined) {
    m = 0;
    for (let k = 0; k < RESTRICTIONS.length; k++) if (r[RESTRICTIONS[k]!] !== undefined) m |= 1 << k;
    masks.set(r, m);
  }
  return m;
}

const INCLUDES = 1;
const PACKAGE = 2;
const BOTH_KINDS = INCLUDES | PACKAGE;

// A code's relations are one shared list for most codes (versioned.ts): its relations of each kind
// to another item are filtered from it once, not on every claim.
const filtered = new WeakMap<readonly RelationRef[], Partial<Record<RelationRef['kind'], readonly RelationRef[]>>>();
/** the relations of the kind to another item (not to the code itself) of a code's relations */
export function relationsOfKind(rs: readonly RelationRef[], kind: RelationRef['kind']): readonly RelationRef[] {
  if (rs.length === 0) return rs;
  let byKind = filtered.get(rs);
  if (!byKind) filtered.set(rs, (byKind = {}));
  return (byKind[kind] ??= rs.filter((r) => r.kind === kind && r.subCode !== r.mainCode));
}

/** whether line i has the item and service day of the line before it (the lookups it would make are that line's) */
function repeatsItemDay(lines: readonly ClaimLine[], i: number): boolean {
  if (i === 0) return false;
  const l = lines[i]!;
  const prev = lines[i - 1]!;
  return prev.itemCode === l.itemCode && prev.serviceDate === l.serviceDate;
}

/** No lines, no hits: one shared empty list, never to be changed. */
export const NONE: readonly never[] = Object.freeze([]);

/**
 * What many rules read of one claim, worked out once per claim instead of once per rule: the
 * catalogue item of each line (the national lists merged in), the claim's institution on a date,
 * the person's other claims, the lines grouped by item and day, each line's stock record and the
 * claim's month. Each is computed the first time a rule asks for it (a claim no rule asks about
 * costs nothing) from the claim, its history and its reference view alone, so a rule reading it
 * stays a pure function of its input.
 */
export class ClaimFacts {
  private lineItems: readonly (CatalogueItemRef | undefined)[] | undefined;
  private otherClaims: readonly Claim[] | undefined;
  private otherClaimsHere: readonly Claim[] | undefined;
  private instDate: string | undefined;
  private inst: InstitutionRef | undefined;
  private groups: readonly CodeDay[] | undefined;
  private lineStocks: readonly (StockRef | undefined)[] | null | undefined;
  private startMonth: string | undefined;
  private restrictionMask: number | undefined;
  private mainOf: number | undefined;
  private mainRelationsOf: Partial<Record<RelationRef['kind'], readonly (readonly RelationRef[])[]>> | undefined;

  constructor(
    readonly claim: Claim,
    /** the history's person claims */
    private readonly personClaims: readonly Claim[],
    readonly reference: ReferenceView,
  ) {}

  /** the catalogue item of each line on its service date, in the order of `claim.lines` */
  get items(): readonly (CatalogueItemRef | undefined)[] {
    if (this.lineItems === undefined) {
      // consecutive lines of one item on one day (the common case) share one lookup
      const ref = this.reference;
      const lines = this.claim.lines;
      const items = new Array<CatalogueItemRef | undefined>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        items[i] = repeatsItemDay(lines, i) ? items[i - 1] : ref.item(l.itemCode, l.serviceDate);
      }
      this.lineItems = items;
    }
    return this.lineItems;
  }

  /** the claim's institution on a date (a claim's lines are mostly of one date: the last one is kept) */
  institution(date: string): InstitutionRef | undefined {
    if (date !== this.instDate) {
      this.inst = this.reference.institution(this.claim.institutionId, date);
      this.instDate = date;
    }
    return this.inst;
  }

  /** the person's other claims in the history (never the claim itself, should history repeat it) */
  get others(): readonly Claim[] {
    if (this.otherClaims === undefined) {
      const c = this.claim;
      const all = this.personClaims;
      this.otherClaims = all.length === 0 ? all : all.filter((o) => !(o.institutionId === c.institutionId && o.claimNo === c.claimNo));
    }
    return this.otherClaims;
  }

  /** the person's other claims at the claim's institution */
  get othersHere(): readonly Claim[] {
    if (this.otherClaimsHere === undefined) {
      const id = this.claim.institutionId;
      const others = this.others;
      this.otherClaimsHere = others.length === 0 ? others : others.filter((o) => o.institutionId === id);
    }
    return this.otherClaimsHere;
  }

  /** the claim's lines grouped by item code and service date, in the order of each group's first line */
  get codeDays(): readonly CodeDay[] {
    if (this.groups === undefined) {
      const lines = this.claim.lines;
      this.groups = lines.length <= SCAN_LINES ? groupsByScan(lines) : groupsByMap(lines);
    }
    return this.groups;
  }

  /**
   * each line's stock record (the claim's institution, the line's item and month), in the order of
   * `claim.lines`; undefined when no line has one (most claims)
   */
  get stocks(): readonly (StockRef | undefined)[] | undefined {
    if (this.lineStocks === undefined && this.reference.hasStock?.() === false) this.lineStocks = null;
    if (this.lineStocks === undefined) {
      // each run of lines of one item on one day asks once; the month is cut once per run of one date
      const ref = this.reference;
      const id = this.claim.institutionId;
      const lines = this.claim.lines;
      const stocks = new Array<StockRef | undefined>(lines.length);
      let any = false;
      let date = '';
      let month = '';
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (repeatsItemDay(lines, i)) stocks[i] = stocks[i - 1];
        else {
          if (l.serviceDate !== date) {
            date = l.serviceDate;
            month = date.slice(0, 7);
          }
          const s = ref.stock(id, l.itemCode, month);
          stocks[i] = s;
          if (s !== undefined) any = true;
        }
      }
      this.lineStocks = any ? stocks : null;
    }
    return this.lineStocks ?? undefined;
  }

  /** the CST month (yyyy-MM) the claim starts in */
  get month(): string {
    return (this.startMonth ??= cstMonth(this.claim.startedAt));
  }

  /** whether a line of the claim is the main item (or package) of a relation of the kind to another item */
  hasMainOf(kind: RelationRef['kind']): boolean {
    if (this.mainOf === undefined) {
      // both kinds in one pass over the claim's items and days: the two rules that ask ask for one each
      let m = 0;
      const groups = this.codeDays;
      for (let i = 0; i < groups.length && m !== BOTH_KINDS; i++) {
        const g = groups[i]!;
        const rs = this.reference.relationsOfMain(g.code, g.date);
        for (let k = 0; k < rs.length; k++) {
          const r = rs[k]!;
          if (r.subCode !== r.mainCode) m |= r.kind === 'includes' ? INCLUDES : PACKAGE;
        }
      }
      this.mainOf = m;
    }
    return (this.mainOf & (kind === 'includes' ? INCLUDES : PACKAGE)) !== 0;
  }

  /**
   * each line's relations of the kind to another item in which its code is the main item (or the
   * package) on its service date, in the order of `claim.lines`; consecutive lines of one item on
   * one day share one lookup
   */
  mainRelations(kind: RelationRef['kind']): readonly (readonly RelationRef[])[] {
    const byKind = (this.mainRelationsOf ??= {});
    let out = byKind[kind];
    if (out === undefined) {
      const lines = this.claim.lines;
      const rels = new Array<readonly RelationRef[]>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        rels[i] = repeatsItemDay(lines, i) ? rels[i - 1]! : relationsOfKind(this.reference.relationsOfMain(l.itemCode, l.serviceDate), kind);
      }
      byKind[kind] = out = rels;
    }
    return out;
  }

  /** whether the catalogue item of some line sets the restriction (most claims' items set few) */
  restricts(key: RestrictionKey): boolean {
    if (this.restrictionMask === undefined) {
      let m = 0;
      let last: CatalogueItemRef | undefined;
      for (const item of this.items) {
        if (item === undefined || item === last) continue;
        last = item;
        m |= maskOf(item.restrictions);
      }
      this.restrictionMask = m;
    }
    return (this.restrictionMask & (1 << RESTRICTIONS.indexOf(key))) !== 0;
  }
}

// up to this many lines a claim's groups are found by comparing with the groups so far, no map built
const SCAN_LINES = 48;

function groupsByScan(lines: readonly ClaimLine[]): CodeDay[] {
  const out: CodeDay[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const q = l.quantity > 0 ? l.quantity : 0;
    // the latest group first: a line mostly follows one of its item and day
    let g: CodeDay | undefined;
    for (let k = out.length - 1; k >= 0; k--) {
      const o = out[k]!;
      if (o.code === l.itemCode && o.date === l.serviceDate) {
        g = o;
        break;
      }
    }
    if (g === undefined) out.push({ code: l.itemCode, date: l.serviceDate, index: i, lines: [l], quantity: q });
    else {
      g.lines.push(l);
      g.quantity += q;
    }
  }
  return out;
}

function groupsByMap(lines: readonly ClaimLine[]): CodeDay[] {
  const out: CodeDay[] = [];
  // by code (a lookup by the line's own string, no key built per line), then among that code's
  // days, the latest first (an item billed daily over a stay has one group a day)
  const byCode = new Map<string, CodeDay[]>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const q = l.quantity > 0 ? l.quantity : 0;
    const days = byCode.get(l.itemCode);
    let g: CodeDay | undefined;
    if (days !== undefined)
      for (let k = days.length - 1; k >= 0; k--)
        if (days[k]!.date === l.serviceDate) {
          g = days[k];
          break;
        }
    if (g !== undefined) {
      g.lines.push(l);
      g.quantity += q;
      continue;
    }
    g = { code: l.itemCode, date: l.serviceDate, index: i, lines: [l], quantity: q };
    out.push(g);
    if (days === undefined) byCode.set(l.itemCode, [g]);
    else days.push(g);
  }
  return out;
}
