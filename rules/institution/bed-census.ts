import { z } from 'zod';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim, reference } from '../fixtures/build.js';
import type { InstitutionRef } from '../reference.js';
import { range } from '../params.js';
import { yuan } from '../text.js';
import { emptyWindow } from './window.js';
import { cstDate } from '../dates.js';

export interface BedCensusParams {
  /**
   * percent of the beds an institution may hold above them: extra beds in corridors (加床) are a
   * fact of life at busy hospitals, so only a census half as large again as the beds is judged
   */
  marginPct: number;
  /** the least number of patients above the beds that is judged, whatever the percent */
  minExcess: number;
}

const CST = 8 * 3_600_000;
const DAY = 86_400_000;

/**
 * Stays no one could have had (虚构住院, 挂床): an institution's midnight census above its beds. For
 * a stay, the census of its admission day is the stays of the institution received before it (by
 * the service process: stored, or still being screened beside it; src/screening/stays-in-flight.ts)
 * that are there at midnight after that day (admitted before midnight, discharged after it), plus this stay (a stay discharged on its admission day is not
 * judged: it is not there at midnight). Above the institution's beds (the
 * institutions reference) by more than `marginPct` percent and at least `minExcess` patients, the
 * stay is sent to review (high), whole. The census counts only stays already claimed: stored, or
 * being screened (one of those refused or failing after it was counted may overstate the day by
 * itself).
 */
export const bedCensus: Rule<BedCensusParams> = {
  id: 'BED-CENSUS',
  version: 1,
  family: 'bed-census',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '机构当日住院人数超过其核定床位 (加允许的加床): 疑似虚构住院, 转人工审核',
    en: "An institution's midnight census above its beds (plus the extra beds allowed): possibly stays that never took place, for review",
  },
  effectiveFrom: '2000-01-01',
  defaults: { marginPct: 50, minExcess: 3 },
  paramSchema: z.object({ marginPct: range({ min: 0, max: 200 }), minExcess: range({ min: 0, max: 500, int: true }) }).strict(),
  evaluate({ claim: c, history, reference: ref, params: p }) {
    if (c.visitType !== 'inpatient' || c.admittedAt === undefined) return [];
    const day = cstDate(c.admittedAt);
    const inst = ref.institution(c.institutionId, day);
    if (!inst || inst.beds <= 0) return [];
    const midnight = Date.parse(`${day}T00:00:00Z`) - CST + DAY;
    // a stay discharged on its admission day is not there at midnight: it adds nothing to the census
    if (c.endedAt < midnight) return [];
    const census = (history.institution?.census ?? 0) + 1;
    const limit = inst.beds + Math.max(Math.ceil((inst.beds * p.marginPct) / 100), p.minExcess);
    if (census <= limit) return [];
    const total = c.lines.reduce((s, l) => s + l.amountFen, 0);
    return [
      {
        message: {
          zh: `${day} 午夜本机构在院 ${census} 人, 超过床位 ${inst.beds} 张加允许的 ${limit - inst.beds} 张 (${limit}); 本次住院全部 ${c.lines.length} 行 ${yuan(total)} 元转人工审核`,
          en: `At midnight after ${day} the institution held ${census} patients, above its ${inst.beds} beds plus the ${limit - inst.beds} allowed (${limit}); all ${c.lines.length} lines of this stay, ${yuan(total)} yuan, for review`,
        },
        violatingLines: c.lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: [],
        amountFen: total,
      },
    ];
  },
  fixtures,
};

function fixtures(): RuleFixtures<BedCensusParams> {
  const clinic: InstitutionRef = { institutionId: 'H1', name: 'clinic', type: 'clinic', level: 'primary', ownership: 'public', area: '320102', beds: 20, designatedFrom: '2000-01-01' };
  const ref = reference({ institutions: [clinic] });
  const stay = (discharged = '2026-10-07 09:00') =>
    claim({ institutionId: 'H1', admitted: '2026-10-04 10:00', discharged, lines: [{ itemCode: 'BED', at: '2026-10-04 10:00', category: 'bed', amountFen: 6000 }] });
  const census = (n: number) => ({ institution: { ...emptyWindow, census: n } });
  return {
    fires: [
      {
        name: '30 others at midnight in a 20-bed clinic: this stay the 31st, above 20 + 10',
        claim: stay(),
        history: census(30),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 6000 },
      },
      { name: 'with no margin, the 21st', claim: stay(), history: census(20), reference: ref, params: { marginPct: 0, minExcess: 0 } },
    ],
    passes: [
      { name: 'the 30th at midnight, within 20 beds + 10', claim: stay(), history: census(29), reference: ref },
      { name: 'a same-day stay is not there at midnight', claim: stay('2026-10-04 18:00'), history: census(40), reference: ref },
      { name: 'an institution the reference does not know', claim: stay(), history: census(500) },
      { name: 'an outpatient visit', claim: claim({ institutionId: 'H1', lines: [{ itemCode: 'V', at: '2026-10-04 09:00' }] }), history: census(500), reference: ref },
    ],
  };
}
