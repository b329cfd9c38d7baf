import { z } from 'zod';
import type { Claim } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, type ClaimSpec } from '../fixtures/build.js';
import { yuan } from '../text.js';
import { daysBetween, ids, otherClaims, refTo, stayOf, sumFen, type Stay } from './stay.js';
import { flag, icdPrefix, list, range } from '../params.js';
import { NONE } from '../facts.js';

export interface SplitStayParams {
  /** a readmission this many CST calendar days after the discharge date, or fewer, is suspect */
  withinDays: number;
  /** ICD-10 codes or prefixes of planned cycles (chemotherapy, radiotherapy, dialysis) that are never a split stay */
  plannedCycleCodes: string[];
  /** also excuse a readmission whose secondary diagnoses name a planned cycle (cancer coded main, Z51.1 secondary) */
  plannedCycleInSecondary: boolean;
}

const codeKey = (code: string | undefined) => (code ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
const mainCode = (c: Claim) => c.mainDiagnosis ?? c.diagnoses.find((d) => d.main)?.code;
/** The ICD-10 three-character category (I21.0 → I21), if the code has one. */
const category = (code: string | undefined) => (code && /^[A-Z]\d\d/.test(codeKey(code)) ? codeKey(code).slice(0, 3) : undefined);

function plannedCycle(c: Claim, p: SplitStayParams): string | undefined {
  const codes = p.plannedCycleInSecondary ? c.diagnoses.map((d) => d.code) : [];
  const main = mainCode(c);
  for (const code of main ? [main, ...codes] : codes) if (p.plannedCycleCodes.some((k) => codeKey(code).startsWith(codeKey(k)))) return code;
  return undefined;
}

const byAdmission = (a: Stay, b: Stay) => a.admittedAt - b.admittedAt || a.dischargedAt - b.dischargedAt || a.claim.claimNo.localeCompare(b.claim.claimNo);

/**
 * 分解住院: the same person readmitted to the same institution within N CST calendar days of the
 * discharge date, with the same main-diagnosis ICD-10 category. The day count is the readmission's
 * admission date minus the discharge date (same day = 0): discharged on the 1st, readmitted on the
 * 16th is day 15 and suspect; on the 17th is day 16 and not. Stays overlapping by date are left to
 * STAY-OVERLAP. The readmission is the suspect claim: under DRG/DIP payment a split stay earns a
 * second case payment, so all its lines are at issue; when the readmission arrived first, they are
 * named on it for a retrospective finding. A suspicion (medium): clinically necessary readmissions
 * within two weeks with the same diagnosis (relapse, complication) are common enough that only a
 * reviewer with the records can tell.
 */
export const splitStay: Rule<SplitStayParams> = {
  id: 'SPLIT-STAY',
  version: 1,
  family: 'split-stay',
  severity: 'medium',
  status: 'active',
  description: {
    zh: '分解住院: 同一参保人出院后 N 天内 (按出院日期至再入院日期的自然日计) 再次入住同一机构, 且主诊断 ICD-10 类目相同; 放化疗、透析等计划性周期住院除外',
    en: 'Split stay: the same person readmitted to the same institution within N calendar days (discharge date to admission date) with the same main-diagnosis ICD-10 category; planned chemotherapy, radiotherapy and dialysis cycles excepted',
  },
  effectiveFrom: '2000-01-01',
  defaults: { withinDays: 15, plannedCycleCodes: ['Z51', 'Z49', 'Z99.2', 'N18.0', 'N18.5', 'N18.6'], plannedCycleInSecondary: true },
  paramSchema: z.object({ withinDays: range({ min: 0, max: 365, int: true }), plannedCycleCodes: list(icdPrefix(), 500), plannedCycleInSecondary: flag() }).strict(),
  evaluate({ claim: c, history, params: p }) {
    // only a stay with a stay of the person at the same institution can be one (most claims have none)
    if (c.visitType !== 'inpatient' || !history.personClaims.some((o) => o.visitType === 'inpatient' && o.institutionId === c.institutionId)) return NONE;
    const self = stayOf(c);
    const cat = category(mainCode(c));
    if (!self || !cat) return NONE;
    const hits: RuleHit[] = [];
    for (const o of otherClaims(c, history)) {
      if (o.visitType !== 'inpatient' || o.institutionId !== c.institutionId) continue;
      const other = stayOf(o);
      if (!other || category(mainCode(o)) !== cat) continue;
      const [first, then] = [self, other].sort(byAdmission) as [Stay, Stay];
      const gap = daysBetween(first.dischargeDate, then.admissionDate);
      if (gap < 0 || gap > p.withinDays || plannedCycle(then.claim, p)) continue;
      const a = first.claim,
        b = then.claim;
      const amountFen = sumFen(b.lines);
      hits.push({
        message: {
          zh: `分解住院嫌疑: 机构 ${c.institutionId} 结算单 ${a.claimNo} 于 ${first.dischargeDate} 出院 (主诊断 ${mainCode(a)}), 第 ${gap} 天 (${then.admissionDate}) 以结算单 ${b.claimNo} 再次入院 (主诊断 ${mainCode(b)}), 同属 ${cat} 类目, 不超过 ${p.withinDays} 天; 再次住院费用 ${yuan(amountFen)} 元`,
          en: `Possible split stay: claim ${a.claimNo} discharged from institution ${c.institutionId} on ${first.dischargeDate} (main diagnosis ${mainCode(a)}); claim ${b.claimNo} readmitted on ${then.admissionDate}, day ${gap} after discharge (limit ${p.withinDays} days; main diagnosis ${mainCode(b)}, same category ${cat}); readmission costs ${yuan(amountFen)} yuan`,
        },
        violatingLines: b === c ? ids(c.lines) : [],
        involvedLines: [],
        otherClaims: [b === c ? refTo(a) : refTo(b, b.lines)],
        amountFen,
      });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<SplitStayParams> {
  const stay = (claimNo: string, admitted: string, discharged: string, dx: string[], over: Partial<ClaimSpec> = {}) =>
    claim({
      claimNo,
      admitted,
      discharged,
      diagnoses: dx.map((code, i) => ({ code, main: i === 0 })),
      lines: [
        { itemCode: '001109000010000', category: 'bed', at: `${admitted.slice(0, 10)} 12:00`, amountFen: 5000 },
        { itemCode: '250101015', category: 'lab', at: `${admitted.slice(0, 10)} 13:00`, amountFen: 3000 },
      ],
      ...over,
    });
  const first = stay('C1', '2026-09-20 09:00', '2026-10-01 10:00', ['I21.0']);
  const history = (...claims: ReturnType<typeof stay>[]) => ({ personClaims: claims });
  return {
    fires: [
      {
        name: 'readmitted on day 15 after discharge, same category I21 (the readmission arrives second)',
        claim: stay('C2', '2026-10-16 09:00', '2026-10-20 10:00', ['I21.9']),
        history: history(first),
        expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 8000, otherClaims: ['C1'] },
      },
      {
        name: 'the earlier stay arriving after its readmission: the readmission’s lines go to the other claim',
        claim: first,
        history: history(stay('C2', '2026-10-16 09:00', '2026-10-20 10:00', ['I21.9'])),
        expect: { hits: 1, violatingLines: [], amountFen: 8000, otherClaims: ['C2'] },
      },
      {
        name: 'readmitted the same day as discharge (day 0)',
        claim: stay('C2', '2026-10-01 18:00', '2026-10-05 10:00', ['I21.1']),
        history: history(first),
        expect: { hits: 1, otherClaims: ['C1'] },
      },
      {
        name: 'a chemotherapy code only among secondary diagnoses, when the deployment excuses main diagnoses only',
        claim: stay('C2', '2026-10-08 09:00', '2026-10-12 10:00', ['C34.1', 'Z51.1']),
        history: history(stay('C1', '2026-09-20 09:00', '2026-10-01 10:00', ['C34.9'])),
        params: { plannedCycleInSecondary: false },
        expect: { hits: 1, violatingLines: ['L1', 'L2'] },
      },
    ],
    passes: [
      {
        name: 'readmitted on day 16 after discharge',
        claim: stay('C2', '2026-10-17 09:00', '2026-10-20 10:00', ['I21.9']),
        history: history(first),
      },
      {
        name: 'day 16 with the earlier stay arriving second',
        claim: first,
        history: history(stay('C2', '2026-10-17 00:30', '2026-10-20 10:00', ['I21.9'])),
      },
      { name: 'another category (I25 after I21)', claim: stay('C2', '2026-10-05 09:00', '2026-10-09 10:00', ['I25.1']), history: history(first) },
      {
        name: 'readmitted to another institution',
        claim: stay('C2', '2026-10-05 09:00', '2026-10-09 10:00', ['I21.9'], { institutionId: 'H2' }),
        history: history(first),
      },
      {
        name: 'a chemotherapy cycle (main diagnosis Z51.1)',
        claim: stay('C2', '2026-10-08 09:00', '2026-10-12 10:00', ['Z51.1', 'C34.1']),
        history: history(stay('C1', '2026-09-20 09:00', '2026-10-01 10:00', ['Z51.1', 'C34.1'])),
      },
      {
        name: 'cancer coded main with Z51.1 secondary (planned cycle excused by default)',
        claim: stay('C2', '2026-10-08 09:00', '2026-10-12 10:00', ['C34.1', 'Z51.1']),
        history: history(stay('C1', '2026-09-20 09:00', '2026-10-01 10:00', ['C34.9'])),
      },
      {
        name: 'maintenance dialysis of end-stage kidney disease (N18.5)',
        claim: stay('C2', '2026-10-04 09:00', '2026-10-06 10:00', ['N18.5']),
        history: history(stay('C1', '2026-09-28 09:00', '2026-10-01 10:00', ['N18.5'])),
      },
      {
        name: 'overlapping stays are not a readmission (left to STAY-OVERLAP)',
        claim: stay('C2', '2026-09-30 09:00', '2026-10-05 10:00', ['I21.9']),
        history: history(first),
      },
      {
        name: 'an outpatient visit after discharge',
        claim: claim({ claimNo: 'C2', visit: '2026-10-05 09:00', diagnoses: [{ code: 'I21.9', main: true }], lines: [{ itemCode: '110200001', at: '2026-10-05 09:00' }] }),
        history: history(first),
      },
    ],
  };
}
