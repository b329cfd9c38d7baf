import { z } from 'zod';
import type { Claim, ClaimLine } from '../claim.js';
import { sameVisit, withinWindow, type Located } from '../duplicate/related-lines.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim, hospital, item, reference } from '../fixtures/build.js';
import { ref as claimRef } from '../quantity/over-limit.js';
import type { ReferenceView, RelationRef, RelationWindow } from '../reference.js';
import { itemName, yuan } from '../text.js';
import { flag, range, relationWindow } from '../params.js';
import { NONE } from '../facts.js';

interface Params {
  /** fewest different parts of one package, billed apart on one day of one visit, that are judged */
  minParts: number;
  /** the window of a package relation that names none (when the package itself is billed within it, SPLIT-PACKAGE judges) */
  windowWhenUnspecified: RelationWindow;
  /** the same visit spans the claims of one institution that overlap an inpatient stay */
  stayAcrossClaims: boolean;
}

const LEVEL_ZH = { primary: '一级', secondary: '二级', tertiary: '三级' } as const;

interface Group {
  pkgCode: string;
  date: string;
  relations: RelationRef[];
  parts: (Located & { current: boolean })[];
}

/** The package's ceiling in fen for one unit at the institution's level, if the reference gives it. */
function packageCeilingFen(ref: ReferenceView, c: Claim, pkgCode: string, date: string) {
  const inst = ref.institution(c.institutionId, date);
  const pkg = ref.item(pkgCode, date);
  if (!inst || !pkg) return undefined;
  const level = inst.level === 'none' ? 'primary' : inst.level;
  const ceiling = pkg.priceCeiling[level];
  return ceiling === undefined ? undefined : { fen: Math.round(ceiling / 100), level };
}

/**
 * Parts of a package (relations of kind 'package': main = the package, sub = a part) billed apart,
 * without the package, on one day of one visit: at least `minParts` different parts, together
 * dearer than the package's ceiling for the institution's level (分解收费: a combination item
 * charged as its single items). The amount at issue is what the parts cost beyond the package;
 * the part lines are the violation. A few parts costing no more than the package are a doctor
 * ordering single tests, not a split, and are not judged.
 *
 * Parts may lie in several claims of one visit (interim claims of a stay): the claim being screened
 * is charged what its parts add beyond the package (the excess with them, less the excess of the
 * other claims' parts alone), so the same total is found whatever order the claims arrive in.
 * When the package itself is billed within its relation's window of a part, SPLIT-PACKAGE judges.
 * Without the package's ceiling for the level, the hit is a suspicion with no amount.
 */
export const splitPartsApart: Rule<Params> = {
  id: 'SPLIT-PARTS-APART',
  version: 1,
  family: 'split-charging',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '组合(打包)项目未按组合收费, 而将其组成部分在同一次就诊同一日分项收费, 合计高于组合项目限价 (分解收费)',
    en: 'Parts of a package billed apart, without the package, on one day of one visit, costing more than the package',
  },
  effectiveFrom: '2000-01-01',
  defaults: { minParts: 2, windowWhenUnspecified: 'same_visit', stayAcrossClaims: true },
  paramSchema: z.object({ minParts: range({ min: 2, max: 50, int: true }), windowWhenUnspecified: relationWindow(), stayAcrossClaims: flag() }).strict(),
  evaluate({ claim: c, history, reference: ref, params }) {
    // the packages this claim's lines are parts of, and on which dates; made on the first (most
    // claims have no line that is part of a package)
    let groups: Map<string, Group> | undefined;
    // a line of the item and day of the last line looked up adds nothing: same relations, same keys
    let lastCode: string | undefined;
    let lastDate: string | undefined;
    for (const line of c.lines) {
      if (line.quantity <= 0) continue;
      if (line.itemCode === lastCode && line.serviceDate === lastDate) continue;
      lastCode = line.itemCode;
      lastDate = line.serviceDate;
      for (const r of ref.relationsOfSub(line.itemCode, line.serviceDate)) {
        if (r.kind !== 'package' || r.mainCode === r.subCode) continue;
        const key = `${r.mainCode}|${line.serviceDate}`;
        if (!(groups ??= new Map()).has(key))
          groups.set(key, { pkgCode: r.mainCode, date: line.serviceDate, relations: [...ref.relationsOfMain(r.mainCode, line.serviceDate)].filter((x) => x.kind === 'package'), parts: [] });
      }
    }
    if (groups === undefined || groups.size === 0) return NONE;
    const visitClaims = history.personClaims.filter((o) => o.institutionId === c.institutionId && o.claimNo !== c.claimNo && sameVisit(c, o, params.stayAcrossClaims));
    const hits: RuleHit[] = [];
    for (const g of groups.values()) {
      const partCodes = new Set(g.relations.map((r) => r.subCode));
      const pkgLines: Located[] = [];
      for (const [owner, current] of [[c, true], ...visitClaims.map((o) => [o, false] as const)] as const) {
        for (const line of owner.lines) {
          if (line.quantity <= 0) continue;
          if (line.itemCode === g.pkgCode) pkgLines.push({ line, claim: owner });
          else if (line.serviceDate === g.date && partCodes.has(line.itemCode)) g.parts.push({ line, claim: owner, current });
        }
      }
      const windowOf = (code: string) => g.relations.find((r) => r.subCode === code)?.window ?? params.windowWhenUnspecified;
      if (pkgLines.some((p) => g.parts.some((part) => withinWindow(windowOf(part.line.itemCode), p, part, params.stayAcrossClaims)))) continue;
      const mine = g.parts.filter((p) => p.current);
      if (mine.length === 0) continue;
      const distinct = (xs: readonly Located[]) => new Set(xs.map((x) => x.line.itemCode)).size;
      const sum = (xs: readonly Located[]) => xs.reduce((s, x) => s + x.line.amountFen, 0);
      if (distinct(g.parts) < params.minParts) continue;
      const ceiling = packageCeilingFen(ref, c, g.pkgCode, g.date);
      const excess = (xs: readonly Located[]) => (ceiling && distinct(xs) >= params.minParts ? Math.max(0, sum(xs) - ceiling.fen) : 0);
      const theirs = g.parts.filter((p) => !p.current);
      const added = ceiling ? excess(g.parts) - excess(theirs) : 0;
      if (ceiling && added <= 0) continue;
      // without a ceiling: reported once, by the claim whose parts bring the count to the threshold
      if (!ceiling && distinct(theirs) >= params.minParts) continue;

      const pkgName = ref.item(g.pkgCode, g.date)?.name ?? g.pkgCode;
      const names = g.parts.map((p) => `${itemName(p.line, ref)} (${p.claim === c ? '' : `${p.claim.claimNo} `}${p.line.lineId} ${yuan(p.line.amountFen)})`).join(', ');
      const n = distinct(g.parts);
      const total = yuan(sum(g.parts));
      const message = ceiling
        ? {
            zh: `组合项目 ${pkgName} 的 ${n} 个组成项目于 ${g.date} 分项收费: ${names}, 合计 ${total} 元, 高于${LEVEL_ZH[ceiling.level]}机构组合项目限价 ${yuan(ceiling.fen)} 元; 本单多收 ${yuan(added)} 元`,
            en: `${n} parts of the package ${pkgName} billed apart on ${g.date}: ${names}, ${total} yuan together, above the package's ${ceiling.level} ceiling of ${yuan(ceiling.fen)} yuan; ${yuan(added)} yuan over on this claim`,
          }
        : {
            zh: `组合项目 ${pkgName} 的 ${n} 个组成项目于 ${g.date} 分项收费: ${names}, 合计 ${total} 元 (组合项目限价未知)`,
            en: `${n} parts of the package ${pkgName} billed apart on ${g.date}: ${names}, ${total} yuan together (the package's ceiling is not known)`,
          };
      const byClaim = new Map<Claim, ClaimLine[]>();
      for (const p of theirs) byClaim.set(p.claim, [...(byClaim.get(p.claim) ?? []), p.line]);
      hits.push({
        ...(ceiling ? {} : { severity: 'medium' as const }),
        message,
        violatingLines: mine.map((p) => p.line.lineId),
        involvedLines: [],
        otherClaims: [...byClaim].map(([o, lines]) =>
          claimRef(
            o,
            lines.map((l) => l.lineId),
          ),
        ),
        amountFen: added,
      });
    }
    return hits;
  },
  fixtures: () => {
    const rel = (subCode: string, window?: RelationWindow): RelationRef => ({ kind: 'package', mainCode: 'PKG', subCode, window, source: 'fixture' });
    const relations = [rel('K'), rel('NA'), rel('CL'), rel('CA')];
    // the package costs at most 15.00 at a secondary hospital; each part 6.00
    const items = [
      item({ itemCode: 'PKG', name: '电解质四项', category: 'lab', priceCeiling: { secondary: 150_000 } }),
      ...['K', 'NA', 'CL', 'CA'].map((code) => item({ itemCode: code, category: 'lab', priceCeiling: { secondary: 60_000 } })),
    ];
    const ref = reference({ institutions: [hospital()], items, relations });
    const part = (itemCode: string, at: string, amountFen = 600) => ({ itemCode, at, amountFen, category: 'lab' as const });
    const stay = (claimNo: string, lines: ReturnType<typeof part>[]) => claim({ claimNo, admitted: '2026-10-01 10:00', discharged: '2026-10-09 10:00', lines });
    return {
      fires: [
        {
          name: 'all four parts billed apart in one outpatient claim: 24.00 against the package’s 15.00',
          claim: claim({ lines: [part('K', '2026-10-04 09:00'), part('NA', '2026-10-04 09:00'), part('CL', '2026-10-04 09:00'), part('CA', '2026-10-04 09:00')] }),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1', 'L2', 'L3', 'L4'], amountFen: 900 },
        },
        {
          name: 'three parts: 18.00, 3.00 over the package (one fen over is enough)',
          claim: claim({ lines: [part('K', '2026-10-04 09:00'), part('NA', '2026-10-04 09:00'), part('CL', '2026-10-04 09:00', 301)] }),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1', 'L2', 'L3'], amountFen: 1 },
        },
        {
          name: 'arriving second in an interim claim of the stay with two more parts the same day: charged what it adds',
          claim: stay('C2', [part('CL', '2026-10-03 08:00'), part('CA', '2026-10-03 08:00')]),
          history: { personClaims: [stay('C1', [part('K', '2026-10-03 08:00'), part('NA', '2026-10-03 08:00')])] },
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 900, otherClaims: ['C1'] },
        },
        {
          name: 'without the package’s ceiling: a suspicion with no amount',
          claim: claim({ lines: [part('K', '2026-10-04 09:00'), part('NA', '2026-10-04 09:00')] }),
          reference: reference({ relations }),
          expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 0 },
        },
      ],
      passes: [
        {
          name: 'one part alone',
          claim: claim({ lines: [part('K', '2026-10-04 09:00')] }),
          reference: ref,
        },
        {
          name: 'three parts costing exactly the package’s ceiling (15.00)',
          claim: claim({ lines: [part('K', '2026-10-04 09:00', 500), part('NA', '2026-10-04 09:00', 500), part('CL', '2026-10-04 09:00', 500)] }),
          reference: ref,
        },
        {
          name: 'the package billed beside the parts (SPLIT-PACKAGE’s case)',
          claim: claim({ lines: [{ itemCode: 'PKG', at: '2026-10-04 09:00', amountFen: 1500 }, part('K', '2026-10-04 09:00'), part('NA', '2026-10-04 09:00'), part('CL', '2026-10-04 09:00')] }),
          reference: ref,
        },
        {
          name: 'parts on two days of a stay (a different day is another order)',
          claim: stay('C1', [part('K', '2026-10-03 23:59'), part('NA', '2026-10-04 00:00'), part('CL', '2026-10-05 08:00'), part('CA', '2026-10-06 08:00')]),
          reference: ref,
        },
        {
          name: 'parts in two outpatient visits of the same day (two visits)',
          claim: claim({ claimNo: 'C2', visit: '2026-10-04 15:00', lines: [part('CL', '2026-10-04 15:00'), part('CA', '2026-10-04 15:00')] }),
          history: { personClaims: [claim({ claimNo: 'C1', visit: '2026-10-04 09:00', lines: [part('K', '2026-10-04 09:00'), part('NA', '2026-10-04 09:00')] })] },
          reference: ref,
        },
        {
          name: 'arriving second with no part the others lack and nothing more over: the parts were judged on the first claim',
          claim: stay('C2', [part('K', '2026-10-03 08:00', 0)]),
          history: { personClaims: [stay('C1', [part('K', '2026-10-03 08:00'), part('NA', '2026-10-03 08:00'), part('CL', '2026-10-03 08:00'), part('CA', '2026-10-03 08:00')])] },
          reference: ref,
        },
      ],
    };
  },
};
