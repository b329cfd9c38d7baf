import { z } from 'zod';
import type { Diagnosis } from '../claim.js';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { icdCategory, list } from '../params.js';
import { categoryRanges, diagnosisList, inRanges, wholeClaimHit, yuan } from './icd.js';

export interface InjuryUndeclaredParams {
  /** injury and external-cause categories */
  injury: string[];
  /** within them, complications of medical care and allergies: no third party to declare */
  exceptCategories: string[];
}

const CAUSE_ZH: Record<string, string> = {
  fall: '跌倒',
  sport: '运动',
  household: '家务',
  traffic: '交通事故',
  work: '工伤',
  assault: '他人伤害',
  'self-inflicted': '自伤',
  animal: '动物致伤',
  other: '其他',
};

/**
 * An injury the fund paid for without the claimant's declaration of how it happened, or with a
 * declaration that a third party is liable. Injuries caused by another (a traffic accident, an
 * assault, a work accident) are that party's or the work-injury insurance's to pay (应由第三人负担,
 * 《医疗保障基金使用监督管理条例》), so the fund pays an injury only on a declaration that nobody
 * else is liable. No declaration, or "not yet established": medium, for review; a third party
 * declared liable and the fund paying anyway: high. The amount at issue is the fund's share.
 */
export const injuryUndeclared: Rule<InjuryUndeclaredParams> = {
  id: 'INJURY-UNDECLARED',
  version: 1,
  family: 'injury-liability',
  severity: 'medium',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '外伤诊断 (S00–T98, V01–Y98) 由统筹基金支付, 但无外伤原因申报或申报有第三方责任: 可能应由第三人负担, 转人工审核',
    en: 'An injury diagnosis (S00–T98, V01–Y98) paid by the fund without an injury declaration, or with a third party declared liable: possibly a third party’s to pay, for review',
  },
  effectiveFrom: '2000-01-01',
  defaults: { injury: ['S00-T98', 'V01-Y98'], exceptCategories: ['T78', 'T80-T88', 'Y40-Y84'] },
  paramSchema: z.object({ injury: list(icdCategory(), 100), exceptCategories: list(icdCategory(), 100) }).strict(),
  evaluate({ claim: c, params: p }) {
    if (c.diagnoses.length === 0 || c.payment.fundFen <= 0) return [];
    const decl = c.injury;
    if (decl?.thirdParty === 'none') return [];
    const injury = categoryRanges(p.injury);
    const except = categoryRanges(p.exceptCategories);
    // filled from a literal, not made by filter: see rules/decide.ts
    const found: Diagnosis[] = [];
    for (const d of c.diagnoses) if (inRanges(d.code, injury) && !inRanges(d.code, except)) found.push(d);
    if (found.length === 0) return [];
    const fund = yuan(c.payment.fundFen);
    if (!decl)
      return [
        wholeClaimHit(
          c,
          {
            zh: `外伤诊断 ${diagnosisList(found)}, 统筹基金支付 ${fund} 元, 未申报外伤原因及有无第三方责任`,
            en: `Injury diagnosis ${diagnosisList(found)}, the fund pays ${fund} yuan, and no injury declaration (cause, third-party liability) was sent`,
          },
          c.payment.fundFen,
        ),
      ];
    const cause = `${CAUSE_ZH[decl.cause] ?? decl.cause}`;
    const liable = decl.thirdParty === 'liable';
    return [
      {
        ...wholeClaimHit(
          c,
          liable
            ? {
                zh: `外伤诊断 ${diagnosisList(found)}, 申报原因 ${cause} 且有第三方责任, 统筹基金仍支付 ${fund} 元 (应由第三人负担)`,
                en: `Injury diagnosis ${diagnosisList(found)}, declared cause ${decl.cause} with a liable third party, yet the fund pays ${fund} yuan (the third party's to bear)`,
              }
            : {
                zh: `外伤诊断 ${diagnosisList(found)}, 申报原因 ${cause}, 第三方责任未明, 统筹基金支付 ${fund} 元`,
                en: `Injury diagnosis ${diagnosisList(found)}, declared cause ${decl.cause}, third-party liability not established, the fund pays ${fund} yuan`,
              },
          c.payment.fundFen,
        ),
        ...(liable ? { severity: 'high' as const } : {}),
      },
    ];
  },
  fixtures,
};

function fixtures(): RuleFixtures<InjuryUndeclaredParams> {
  const stay = (over: Partial<Parameters<typeof claim>[0]> = {}) =>
    claim({
      admitted: '2026-10-02 10:00',
      discharged: '2026-10-12 09:00',
      diagnoses: [{ code: 'S72.000', name: '股骨颈骨折', main: true }],
      lines: [
        { itemCode: 'B', at: '2026-10-02 10:00' },
        { itemCode: 'O', at: '2026-10-03 09:00', amountFen: 900_000 },
      ],
      ...over,
    });
  const pay = (fundFen: number) => ({ fundFen, personalAccountFen: 0, medicalAssistanceFen: 0, cashFen: 901_000 - fundFen });
  return {
    fires: [
      { name: 'a hip fracture stay the fund pays, no declaration', claim: stay({ payment: pay(600_000) }), expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 600_000 } },
      {
        name: 'a traffic accident with a liable third party, the fund paying',
        claim: stay({ payment: pay(600_000), injury: { cause: 'traffic', thirdParty: 'liable' } }),
        expect: { hits: 1, amountFen: 600_000 },
      },
      {
        name: 'an external cause code (W19, unspecified fall) as a secondary diagnosis, undeclared',
        claim: stay({
          diagnoses: [
            { code: 'S32.000', main: true },
            { code: 'W19', main: false },
          ],
          payment: pay(1000),
        }),
      },
      { name: 'liability not yet established', claim: stay({ payment: pay(600_000), injury: { cause: 'assault', thirdParty: 'unknown' } }) },
    ],
    passes: [
      { name: 'a fall at home declared, nobody else liable', claim: stay({ payment: pay(600_000), injury: { cause: 'fall', thirdParty: 'none' } }) },
      { name: 'an undeclared injury paid wholly in cash', claim: stay({ payment: pay(0) }) },
      { name: 'a complication of surgical care (T81.4)', claim: stay({ diagnoses: [{ code: 'T81.400', main: true }], payment: pay(600_000) }) },
      { name: 'pneumonia', claim: stay({ diagnoses: [{ code: 'J18.900', main: true }], payment: pay(600_000) }) },
    ],
  };
}
