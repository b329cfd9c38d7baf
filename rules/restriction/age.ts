import type { Rule, RuleFixtures } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { restrictedLines } from './restricted-lines.js';
import { noParams } from '../params.js';
import { NONE } from '../facts.js';

/**
 * Age in whole years on a CST date: a year is added on the birthday itself; someone born on
 * 29 February turns a year older on 1 March in common years.
 */
export function ageOn(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/**
 * An item or drug the national lists restrict to an age group, billed for a person outside it.
 * Age is whole years on the line's service date (CST) from the birth date. The limits are
 * inclusive whole years as imported: 儿童 is maxAgeYears 17, i.e. under 18, 婴幼儿 2, 新生儿 0
 * (under one year: the neonatal 28 days cannot be told apart in whole years); a deployment that
 * reads 儿童 differently changes AGE_GROUP_MAX_YEARS in the import (src/national-lists/parse.ts),
 * or the item's own restrictions, which take precedence. A definite violation.
 */
export const ageRestriction: Rule = {
  id: 'RESTRICT-AGE',
  version: 1,
  family: 'restriction',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '限定年龄的诊疗项目或药品用于年龄不符的参保人 (按服务日期计算的周岁; 儿童为 18 周岁以下)',
    en: 'An item or drug restricted to an age group billed for a person outside it (whole years on the service date; 儿童 means under 18)',
  },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref, facts }) {
    if (!facts.restricts('minAgeYears') && !facts.restricts('maxAgeYears')) return NONE;
    return restrictedLines(c, ref, facts, (line, item) => {
      const { minAgeYears: min, maxAgeYears: max } = item.restrictions;
      if (min === undefined && max === undefined) return undefined;
      const age = ageOn(c.birthDate, line.serviceDate);
      if ((min === undefined || age >= min) && (max === undefined || age <= max)) return undefined;
      const zh = min !== undefined && max !== undefined ? `${min}–${max} 周岁` : min !== undefined ? `${min} 周岁及以上` : `${max} 周岁及以下`;
      const en = min !== undefined && max !== undefined ? `aged ${min} to ${max}` : min !== undefined ? `aged ${min} or over` : `aged ${max} or under`;
      return {
        zh: `限 ${zh}使用, 参保人 (出生 ${c.birthDate}) 于 ${line.serviceDate} 为 ${age} 周岁`,
        en: `is restricted to patients ${en}; the person (born ${c.birthDate}) was ${age} on ${line.serviceDate}`,
      };
    });
  },
  fixtures,
};

function fixtures(): RuleFixtures {
  // Real entries: 儿童龋齿预防保健 (batch1-item-age, 儿童), 新生儿护理 (新生儿), 职业功能训练 (batch 8-2, working age), and a made-up adult-only item.
  const ref = reference({
    items: [
      item({ itemCode: '001302000010000', name: '儿童龋齿预防保健', restrictions: { maxAgeYears: 17 } }),
      item({ itemCode: '001201000070000', name: '新生儿护理', category: 'nursing', restrictions: { maxAgeYears: 0 } }),
      item({ itemCode: '003402000320000', name: '职业功能训练', restrictions: { maxAgeYears: 60 } }),
      item({ itemCode: 'ADULT-ONLY', name: '成人项目', restrictions: { minAgeYears: 18 } }),
    ],
  });
  const billed = (birthDate: string, itemCode: string, at: string) => claim({ birthDate, lines: [{ itemCode, at, amountFen: 4000 }] });
  return {
    fires: [
      {
        name: 'child caries prevention on the 18th birthday',
        claim: billed('2008-10-04', '001302000010000', '2026-10-04 09:00'),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 4000 },
      },
      { name: 'born 29 February: 18 on 1 March of a common year', claim: billed('2008-02-29', '001302000010000', '2026-03-01 09:00'), reference: ref, expect: { hits: 1 } },
      { name: 'neonatal nursing at one year old', claim: billed('2025-10-04', '001201000070000', '2026-10-04 09:00'), reference: ref, expect: { hits: 1 } },
      { name: 'an adult-only item the day before the 18th birthday', claim: billed('2008-10-05', 'ADULT-ONLY', '2026-10-04 23:59'), reference: ref, expect: { hits: 1 } },
      { name: 'occupational training at 61', claim: billed('1965-01-01', '003402000320000', '2026-10-04 09:00'), reference: ref, expect: { hits: 1 } },
    ],
    passes: [
      { name: 'child caries prevention the day before the 18th birthday', claim: billed('2008-10-05', '001302000010000', '2026-10-04 23:59'), reference: ref },
      { name: 'born 29 February: still 17 on 28 February of a common year', claim: billed('2008-02-29', '001302000010000', '2026-02-28 09:00'), reference: ref },
      { name: 'neonatal nursing the day before the first birthday', claim: billed('2025-10-05', '001201000070000', '2026-10-04 09:00'), reference: ref },
      { name: 'an adult-only item on the 18th birthday', claim: billed('2008-10-04', 'ADULT-ONLY', '2026-10-04 00:00'), reference: ref },
      { name: 'occupational training at exactly 60', claim: billed('1966-01-01', '003402000320000', '2026-10-04 09:00'), reference: ref },
    ],
  };
}
