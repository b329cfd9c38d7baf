import { z } from 'zod';
import type { Claim } from '../claim.js';
import { pairOptions, pairsBySub, WINDOW_TEXT, type Located } from '../duplicate/related-lines.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { ref as claimRef } from '../quantity/over-limit.js';
import type { RelationRef, RelationWindow } from '../reference.js';
import { itemName, yuan } from '../text.js';
import { flag, relationWindow } from '../params.js';
import { NONE } from '../facts.js';

interface Params {
  /** the window of a package relation that names none */
  windowWhenUnspecified: RelationWindow;
  /** the same visit spans the claims of one institution that overlap an inpatient stay */
  stayAcrossClaims: boolean;
}

/**
 * Parts of a package (relations of kind 'package': main = the package code, sub = a part) billed
 * separately beside the package on the same visit: the package price covers them, so the part
 * lines are the violation and their amounts are at issue. Parts billed in an earlier claim of
 * the same visit are reported on that claim (retrospective).
 *
 * Parts billed without the package at all are SPLIT-PARTS-APART's to judge (parts-apart.ts).
 */
export const splitPackage: Rule<Params> = {
  id: 'SPLIT-PACKAGE',
  version: 1,
  family: 'split-charging',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '打包收费项目的组成部分在同一次就诊中与打包项目一并另行收费 (分解收费)',
    en: 'Parts of a package billed separately beside the package on the same visit',
  },
  effectiveFrom: '2000-01-01',
  defaults: { windowWhenUnspecified: 'same_visit', stayAcrossClaims: true },
  paramSchema: z.object({ windowWhenUnspecified: relationWindow(), stayAcrossClaims: flag() }).strict(),
  evaluate({ claim: c, reference: ref, params, facts }) {
    // each part goes with the first package that covers it, then parts are grouped by package and by the claim they are in
    const bySub = pairsBySub(c, facts, ref, pairOptions('package', params));
    if (bySub.size === 0) return NONE;
    const groups = new Map<string, { pkg: Located; window: RelationWindow; parts: Located[] }>();
    for (const [part, pairs] of bySub) {
      const { main: pkg, window } = pairs[0]!;
      const key = `${pkg.claim.claimNo}|${pkg.line.lineId}|${part.claim.claimNo}`;
      const g = groups.get(key) ?? { pkg, window, parts: [] };
      g.parts.push(part);
      groups.set(key, g);
    }
    const hits: RuleHit[] = [];
    for (const { pkg, window, parts } of groups.values()) {
      const target: Claim = parts[0]!.claim;
      const amountFen = parts.reduce((s, p) => s + p.line.amountFen, 0);
      const names = parts.map((p) => `${itemName(p.line, ref)} (${p.line.lineId} ${yuan(p.line.amountFen)})`).join(', ');
      const pkgName = itemName(pkg.line, ref);
      const partsWhere = target === c ? { zh: '本单', en: 'this claim' } : { zh: `结算单 ${target.claimNo}`, en: `claim ${target.claimNo}` };
      const pkgWhere = pkg.claim === c ? { zh: '本单', en: 'this claim' } : { zh: `结算单 ${pkg.claim.claimNo}`, en: `claim ${pkg.claim.claimNo}` };
      const message = {
        zh: `打包项目 ${pkgName} (${pkgWhere.zh}行 ${pkg.line.lineId}, ${yuan(pkg.line.amountFen)} 元) 已包含 ${partsWhere.zh} ${names}, ${WINDOW_TEXT[window].zh}内另行收费 ${parts.length} 项共 ${yuan(amountFen)} 元`,
        en: `Package ${pkgName} (line ${pkg.line.lineId} of ${pkgWhere.en}, ${yuan(pkg.line.amountFen)} yuan) covers ${names} of ${partsWhere.en}, billed beside it within ${WINDOW_TEXT[window].en}; ${yuan(amountFen)} yuan at issue`,
      };
      const partIds = parts.map((p) => p.line.lineId);
      if (target === c) {
        hits.push({
          message,
          violatingLines: partIds,
          involvedLines: pkg.claim === c ? [pkg.line.lineId] : [],
          otherClaims: pkg.claim === c ? [] : [claimRef(pkg.claim, [pkg.line.lineId])],
          amountFen,
        });
      } else {
        hits.push({ message, violatingLines: [], involvedLines: [pkg.line.lineId], otherClaims: [claimRef(target, partIds)], amountFen });
      }
    }
    return hits;
  },
  fixtures: () => {
    const rel = (subCode: string, window?: RelationWindow): RelationRef => ({ kind: 'package', mainCode: 'PKG', subCode, window, source: 'fixture' });
    const ref = reference({
      items: [item({ itemCode: 'PKG', name: '血液透析(打包)' }), item({ itemCode: 'A', name: '透析器' }), item({ itemCode: 'B', name: '透析液' })],
      relations: [rel('A'), rel('B')],
    });
    const stay = (claimNo: string, lines: { itemCode: string; at: string; amountFen?: number }[]) => claim({ claimNo, admitted: '2026-10-01 10:00', discharged: '2026-10-09 10:00', lines });
    return {
      fires: [
        {
          name: 'two parts billed beside the package in one outpatient claim',
          claim: claim({
            lines: [
              { itemCode: 'PKG', at: '2026-10-04 09:00' },
              { itemCode: 'A', at: '2026-10-04 09:00', amountFen: 300 },
              { itemCode: 'B', at: '2026-10-04 09:10', amountFen: 200 },
            ],
          }),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L2', 'L3'], amountFen: 500 },
        },
        {
          name: 'arriving second with a part; the package in an earlier interim claim of the stay',
          claim: stay('C2', [{ itemCode: 'A', at: '2026-10-08 09:00', amountFen: 300 }]),
          history: { personClaims: [stay('C1', [{ itemCode: 'PKG', at: '2026-10-02 09:00' }])] },
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 300, otherClaims: ['C1'] },
        },
        {
          name: 'arriving second with the package; the parts in the earlier claim are the violation (retrospective)',
          claim: stay('C2', [{ itemCode: 'PKG', at: '2026-10-08 09:00' }]),
          history: {
            personClaims: [
              stay('C1', [
                { itemCode: 'A', at: '2026-10-02 09:00', amountFen: 300 },
                { itemCode: 'B', at: '2026-10-02 09:00', amountFen: 200 },
              ]),
            ],
          },
          reference: ref,
          expect: { hits: 1, violatingLines: [], amountFen: 500, otherClaims: ['C1'] },
        },
        {
          name: 'a part on an outpatient visit at the very minute of discharge (the periods touch: same visit)',
          claim: claim({ claimNo: 'C2', visit: '2026-10-09 10:00', lines: [{ itemCode: 'A', at: '2026-10-09 10:00', amountFen: 300 }] }),
          history: { personClaims: [stay('C1', [{ itemCode: 'PKG', at: '2026-10-02 09:00' }])] },
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 300, otherClaims: ['C1'] },
        },
      ],
      passes: [
        {
          name: 'parts without the package (SPLIT-PARTS-APART judges those)',
          claim: claim({
            lines: [
              { itemCode: 'A', at: '2026-10-04 09:00' },
              { itemCode: 'B', at: '2026-10-04 09:00' },
            ],
          }),
          reference: ref,
        },
        {
          name: 'a package relation of the same day: the part at 00:00 the next day of the stay',
          claim: stay('C1', [
            { itemCode: 'PKG', at: '2026-10-02 23:59' },
            { itemCode: 'A', at: '2026-10-03 00:00' },
          ]),
          reference: reference({ relations: [rel('A', 'same_day')] }),
        },
        {
          name: 'the package and a part in two outpatient visits the same day',
          claim: claim({ claimNo: 'C2', visit: '2026-10-04 15:00', lines: [{ itemCode: 'A', at: '2026-10-04 15:00' }] }),
          history: { personClaims: [claim({ claimNo: 'C1', visit: '2026-10-04 09:00', lines: [{ itemCode: 'PKG', at: '2026-10-04 09:00' }] })] },
          reference: ref,
        },
        {
          name: 'a part on an outpatient visit one minute after discharge (another visit)',
          claim: claim({ claimNo: 'C2', visit: '2026-10-09 10:01', lines: [{ itemCode: 'A', at: '2026-10-09 10:01' }] }),
          history: { personClaims: [stay('C1', [{ itemCode: 'PKG', at: '2026-10-02 09:00' }])] },
          reference: ref,
        },
      ],
    };
  },
};
