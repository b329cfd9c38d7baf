import { z } from 'zod';
import type { VisitType } from '../claim.js';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { restrictedLines } from './restricted-lines.js';
import { code, list } from '../params.js';
import { NONE } from '../facts.js';

export interface CareSettingParams {
  /** national medical categories (med_type) of emergency visits: their hits go to review, since list notes such as 安宫牛黄丸's "限急诊或住院" admit emergencies the list's single value (住院) omits */
  emergencyMedTypes: string[];
}

const SETTING_ZH: Record<VisitType, string> = { inpatient: '住院', outpatient: '门诊', pharmacy: '药店购药' };

/**
 * A drug or item the national lists (batch 4) pay only in some care settings, billed in another:
 * the claim's visit type is not among restrictions.careSettings. A definite violation, except on
 * emergency visits (med_type 13 by default), which are a high suspicion for review.
 */
export const careSettingRestriction: Rule<CareSettingParams> = {
  id: 'RESTRICT-CARE-SETTING',
  version: 1,
  family: 'restriction',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '限定就医方式的药品或项目在其他就医方式中使用 (如限住院使用的药品用于门诊或药店购药)',
    en: 'A drug or item paid only in some care settings billed in another (an inpatient-only drug in an outpatient or pharmacy claim)',
  },
  effectiveFrom: '2000-01-01',
  defaults: { emergencyMedTypes: ['13'] },
  paramSchema: z.object({ emergencyMedTypes: list(code(8), 50) }).strict(),
  evaluate({ claim: c, reference: ref, params: p, facts }) {
    if (!facts.restricts('careSettings')) return NONE;
    const emergency = c.medType !== undefined && p.emergencyMedTypes.includes(c.medType);
    return restrictedLines(c, ref, facts, (_line, item) => {
      const settings = item.restrictions.careSettings;
      if (!settings || settings.length === 0 || settings.includes(c.visitType)) return undefined;
      const only = settings.map((s) => SETTING_ZH[s]).join('、');
      return {
        zh: `限${only}使用, 本次为${SETTING_ZH[c.visitType]}${emergency ? ` (急诊, 医疗类别 ${c.medType}, 转人工审核)` : ''}`,
        en: `is paid only in ${settings.join(', ')} care; this is ${c.visitType === 'outpatient' ? 'an outpatient' : `a ${c.visitType}`} claim${emergency ? ` (an emergency, med_type ${c.medType}: for review)` : ''}`,
        ...(emergency ? { severity: 'high' as const } : {}),
      };
    });
  },
  fixtures,
};

function fixtures(): RuleFixtures<CareSettingParams> {
  // Real entries of batch4-drug-care-setting.csv, matched by generic name.
  const ref = reference({
    items: [
      item({ itemCode: 'ZA01AAA0040010100000', name: '安宫牛黄丸', category: 'drug', restrictions: { careSettings: ['inpatient'] } }),
      item({ itemCode: 'XB05BAY160B002010100', name: 'ω-3鱼油脂肪乳注射液', category: 'drug', restrictions: { careSettings: ['inpatient'] } }),
      item({ itemCode: 'XC09AAE056A001010100', name: '缬沙坦胶囊', category: 'drug' }),
    ],
  });
  const line = (itemCode: string) => ({ itemCode, category: 'drug' as const, at: '2026-10-04 10:00', amountFen: 45000 });
  return {
    fires: [
      {
        name: 'an inpatient-only drug in an outpatient claim',
        claim: claim({ visit: '2026-10-04 09:00', lines: [line('XC09AAE056A001010100'), line('ZA01AAA0040010100000')] }),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L2'], amountFen: 45000 },
      },
      {
        name: 'an inpatient-only drug bought at a pharmacy',
        claim: claim({ visitType: 'pharmacy', institutionId: 'Y7', lines: [line('XB05BAY160B002010100')] }),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'] },
      },
      {
        name: 'an emergency visit (med_type 13): for review',
        claim: claim({ visit: '2026-10-04 09:00', medType: '13', lines: [line('ZA01AAA0040010100000')] }),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'] },
      },
    ],
    passes: [
      { name: 'an inpatient-only drug during a stay', claim: claim({ admitted: '2026-10-03 09:00', discharged: '2026-10-08 10:00', lines: [line('ZA01AAA0040010100000')] }), reference: ref },
      { name: 'a drug without a setting restriction at a pharmacy', claim: claim({ visitType: 'pharmacy', lines: [line('XC09AAE056A001010100')] }), reference: ref },
    ],
  };
}
