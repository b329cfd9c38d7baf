import type { Rule, RuleFixtures } from '../engine.js';
import { claim, hospital, item, reference } from '../fixtures/build.js';
import type { InstitutionLevel, ReferenceView } from '../reference.js';
import { restrictedLines } from './restricted-lines.js';
import { noParams } from '../params.js';
import { NONE } from '../facts.js';

const RANK: Record<InstitutionLevel, number> = { none: 0, primary: 1, secondary: 2, tertiary: 3 };
const LEVEL_ZH: Record<InstitutionLevel, string> = { none: '无等级', primary: '一级', secondary: '二级', tertiary: '三级' };

/**
 * A drug the national lists (batch 5) pay only at institutions of a given level or higher
 * (限二级及以上医疗机构), billed by an institution of a lower level on the service date. The level
 * is the institution's record valid on each line's date, so an upgrade mid-stay counts from its
 * day. Pharmacies have no level ('none') and are below every minimum: a retail pharmacy is not a
 * medical institution of any level. Lines of an institution the fund does not know are left to
 * NON-DESIGNATED. A definite violation.
 */
export const institutionLevelRestriction: Rule = {
  id: 'RESTRICT-INSTITUTION-LEVEL',
  version: 1,
  family: 'restriction',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '限定医疗机构等级的药品在低于该等级的机构 (含零售药店) 使用',
    en: 'A drug paid only at institutions of a given level or higher billed by a lower-level institution (pharmacies included)',
  },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref, facts }) {
    if (!facts.restricts('minInstitutionLevel')) return NONE;
    return restrictedLines(c, ref, facts, (line, item, f) => {
      const min = item.restrictions.minInstitutionLevel;
      if (!min) return undefined;
      const inst = f.institution(line.serviceDate);
      if (!inst || RANK[inst.level] >= RANK[min]) return undefined;
      return {
        zh: `限${LEVEL_ZH[min]}及以上医疗机构使用, 机构 ${inst.institutionId} 为${LEVEL_ZH[inst.level]}${inst.type === 'pharmacy' ? '零售药店' : '机构'}`,
        en: `is paid only at ${min} institutions or above; institution ${inst.institutionId} is ${inst.type === 'pharmacy' ? 'a pharmacy without a level' : `${inst.level}`}`,
      };
    });
  },
  fixtures,
};

function fixtures(): RuleFixtures {
  // Real entries of batch5-drug-institution-level.csv: 参麦注射液 (二级), 雷珠单抗注射液 (三级).
  const items = [
    item({ itemCode: 'ZA12BAS0123020100000', name: '参麦注射液', category: 'drug', restrictions: { minInstitutionLevel: 'secondary' } }),
    item({ itemCode: 'XS01LAL173B002010100', name: '雷珠单抗注射液', category: 'drug', restrictions: { minInstitutionLevel: 'tertiary' } }),
  ];
  const at = (level: InstitutionLevel, type: 'hospital' | 'clinic' | 'pharmacy' = 'hospital') => reference({ institutions: [hospital({ level, type })], items });
  const billed = (itemCode: string, ...dates: string[]) =>
    claim({ lines: (dates.length ? dates : ['2026-10-04']).map((d) => ({ itemCode, category: 'drug' as const, at: `${d} 10:00`, amountFen: 6000 })) });
  // a clinic upgraded from primary to secondary on 2026-10-05
  const upgraded: ReferenceView = {
    ...at('primary', 'clinic'),
    institution: (id, date) => (id === 'H1' ? hospital({ type: 'clinic', level: date < '2026-10-05' ? 'primary' : 'secondary' }) : undefined),
  };
  return {
    fires: [
      { name: 'shenmai injection at a primary clinic', claim: billed('ZA12BAS0123020100000'), reference: at('primary', 'clinic'), expect: { hits: 1, violatingLines: ['L1'], amountFen: 6000 } },
      { name: 'shenmai injection at a pharmacy (no level)', claim: billed('ZA12BAS0123020100000'), reference: at('none', 'pharmacy'), expect: { hits: 1 } },
      { name: 'a tertiary-only drug at a secondary hospital', claim: billed('XS01LAL173B002010100'), reference: at('secondary'), expect: { hits: 1 } },
      {
        name: 'the day before an upgrade to secondary: only that line',
        claim: billed('ZA12BAS0123020100000', '2026-10-04', '2026-10-05'),
        reference: upgraded,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 6000 },
      },
    ],
    passes: [
      { name: 'shenmai injection at a secondary hospital (exactly the minimum)', claim: billed('ZA12BAS0123020100000'), reference: at('secondary') },
      { name: 'a tertiary-only drug at a tertiary hospital', claim: billed('XS01LAL173B002010100'), reference: at('tertiary') },
      { name: 'from the day of the upgrade', claim: billed('ZA12BAS0123020100000', '2026-10-05'), reference: upgraded },
      { name: 'an institution the fund does not know (NON-DESIGNATED’s case)', claim: billed('ZA12BAS0123020100000'), reference: reference({ items }) },
    ],
  };
}
