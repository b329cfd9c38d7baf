import { z } from 'zod';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { restrictedLines } from './restricted-lines.js';
import { icdPrefix, list } from '../params.js';
import { NONE } from '../facts.js';

export interface SexRestrictionParams {
  /** ICD-10 codes or prefixes that make a sex-restricted item plausible for the other sex: such hits go to review instead */
  reviewWhenDiagnosis: string[];
}

const SEX_ZH = { male: '男', female: '女' } as const;
const codeKey = (code: string | undefined) => (code ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');

/**
 * An item or drug the national lists (batch 1) restrict to one sex, billed for the other. A
 * definite violation: the line is not payable. Where the claim carries a diagnosis under which the
 * "other" sex legitimately needs it (male breast cancer C50 treated with anastrozole, disorders of
 * sex development Q56/Q96–Q99/E34.5, gender dysphoria F64), the hit is a high suspicion for review
 * instead, since the lists were written for the common case.
 */
export const sexRestriction: Rule<SexRestrictionParams> = {
  id: 'RESTRICT-SEX',
  version: 1,
  family: 'restriction',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '限定性别的诊疗项目或药品用于其他性别的参保人 (国家两库第一批限性别目录)',
    en: 'An item or drug restricted to one sex (national lists, batch 1) billed for a person of the other sex',
  },
  effectiveFrom: '2000-01-01',
  defaults: { reviewWhenDiagnosis: ['C50', 'F64', 'Q56', 'Q96', 'Q97', 'Q98', 'Q99', 'E34.5'] },
  paramSchema: z.object({ reviewWhenDiagnosis: list(icdPrefix(), 500) }).strict(),
  evaluate({ claim: c, reference: ref, params: p, facts }) {
    if (!facts.restricts('sex')) return NONE;
    let excuse: (typeof c.diagnoses)[number] | undefined | null = null; // looked for at the first breach only
    return restrictedLines(c, ref, facts, (_line, item) => {
      const only = item.restrictions.sex;
      if (!only || only === c.sex) return undefined;
      if (excuse === null) excuse = c.diagnoses.find((d) => p.reviewWhenDiagnosis.some((k) => codeKey(d.code).startsWith(codeKey(k))));
      return {
        zh: `限${SEX_ZH[only]}性使用, 参保人为${SEX_ZH[c.sex]}性${excuse ? ` (诊断 ${excuse.code} 下可能合理, 转人工审核)` : ''}`,
        en: `is restricted to ${only} patients; the person is ${c.sex}${excuse ? ` (plausible under diagnosis ${excuse.code}: for review)` : ''}`,
        ...(excuse ? { severity: 'high' as const } : {}),
      };
    });
  },
  fixtures,
};

function fixtures(): RuleFixtures<SexRestrictionParams> {
  // Real entries of batch1-item-sex.csv and batch1-drug-sex.csv (drugs matched by generic name).
  const ref = reference({
    items: [
      item({ itemCode: '002101030300000', name: '子宫造影', category: 'exam', restrictions: { sex: 'female' } }),
      item({ itemCode: '002101030280000', name: '阴茎海绵体造影', category: 'exam', restrictions: { sex: 'male' } }),
      item({ itemCode: 'XL02BGA001A001010100', name: '阿那曲唑片', category: 'drug', restrictions: { sex: 'female' } }),
      item({ itemCode: '002501010010000', name: '血细胞分析', category: 'lab' }),
    ],
  });
  const billed = (sex: 'male' | 'female', itemCode: string, dx: string[] = []) =>
    claim({
      sex,
      diagnoses: dx.map((code, i) => ({ code, main: i === 0 })),
      lines: [
        { itemCode: '002501010010000', at: '2026-10-04 09:00' },
        { itemCode, at: '2026-10-04 10:00', amountFen: 18000 },
      ],
    });
  return {
    fires: [
      { name: 'hysterography for a man', claim: billed('male', '002101030300000'), reference: ref, expect: { hits: 1, violatingLines: ['L2'], amountFen: 18000 } },
      { name: 'cavernosography for a woman', claim: billed('female', '002101030280000'), reference: ref, expect: { hits: 1, violatingLines: ['L2'], amountFen: 18000 } },
      { name: 'anastrozole for a man without a diagnosis that explains it', claim: billed('male', 'XL02BGA001A001010100', ['I10']), reference: ref, expect: { hits: 1, violatingLines: ['L2'] } },
      {
        name: 'anastrozole for a man with breast cancer (C50.9): a suspicion for review',
        claim: billed('male', 'XL02BGA001A001010100', ['C50.9']),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L2'] },
      },
    ],
    passes: [
      { name: 'hysterography for a woman', claim: billed('female', '002101030300000'), reference: ref },
      { name: 'an item without a sex restriction', claim: billed('male', '002501010010000'), reference: ref },
      { name: 'a code the catalogue does not know', claim: billed('male', '999999999999999'), reference: ref },
    ],
  };
}
