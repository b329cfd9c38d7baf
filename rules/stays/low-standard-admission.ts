import { z } from 'zod';
import { categoryRanges, diagnosisList, inRanges, wholeClaimHit } from '../diagnosis/icd.js';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { icdCategory, list, range } from '../params.js';
import { yuan } from '../text.js';
import { cstDate, daysBetween } from './stay.js';
import { NONE } from '../facts.js';

export interface LowStandardAdmissionParams {
  /** the longest stay judged, in calendar days from the admission date to the discharge date */
  maxDays: number;
  /** main diagnoses an outpatient clinic treats (门诊可治疗疾病) */
  outpatientTreatable: string[];
}

/** The default outpatient-treatable main diagnoses (门诊可治疗疾病), shared with ADMISSION-CLUSTER. */
export const OUTPATIENT_TREATABLE = ['J00-J06', 'J20-J21', 'J30', 'K29', 'K52', 'K59', 'M54', 'E78', 'N76', 'R51', 'Z00'] as const;

/**
 * A short inpatient stay (at most `maxDays` calendar days, no operation billed) whose main
 * diagnosis an outpatient clinic treats: an admission below the standard (降低入院标准, 小病大治),
 * often induced (诱导住院) to have the fund pay what it pays only for stays. For review (medium),
 * the whole stay at issue. The default list holds acute upper respiratory infections, acute
 * bronchitis, rhinitis, gastritis, gastroenteritis, constipation, back pain, hyperlipidaemia,
 * vaginitis, headache and examinations; a deployment adds (or removes) categories, such as
 * uncomplicated hypertension (I10), by its own admission criteria.
 */
export const lowStandardAdmission: Rule<LowStandardAdmissionParams> = {
  id: 'STAY-LOW-STANDARD',
  version: 1,
  family: 'induced-admission',
  severity: 'medium',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '短期住院 (不超过 N 天, 无手术) 且主诊断为门诊可治疗疾病: 疑似降低入院标准或诱导住院, 转人工审核',
    en: 'A short stay (at most N days, no operation) whose main diagnosis an outpatient clinic treats: possibly an admission below the standard or induced, for review',
  },
  effectiveFrom: '2000-01-01',
  defaults: {
    maxDays: 3,
    outpatientTreatable: [...OUTPATIENT_TREATABLE],
  },
  paramSchema: z.object({ maxDays: range({ min: 1, max: 14, int: true }), outpatientTreatable: list(icdCategory(), 500) }).strict(),
  evaluate({ claim: c, params: p }) {
    if (c.visitType !== 'inpatient' || c.admittedAt === undefined || c.dischargedAt === undefined) return NONE;
    const main = c.diagnoses.find((d) => d.main);
    if (!main || !inRanges(main.code, categoryRanges(p.outpatientTreatable))) return NONE;
    const admitted = cstDate(c.admittedAt);
    const discharged = cstDate(c.dischargedAt);
    const days = daysBetween(admitted, discharged);
    if (days > p.maxDays) return NONE;
    if (c.lines.some((l) => l.category === 'operation')) return NONE;
    const total = c.lines.reduce((s, l) => s + l.amountFen, 0);
    return [
      wholeClaimHit(c, {
        zh: `住院 ${days} 天 (${admitted} 至 ${discharged}, 不超过 ${p.maxDays} 天, 无手术), 主诊断 ${diagnosisList([main])} 属门诊可治疗疾病; 全部 ${c.lines.length} 行 ${yuan(total)} 元转人工审核`,
        en: `A stay of ${days} days (${admitted} to ${discharged}, at most ${p.maxDays}, no operation) with main diagnosis ${diagnosisList([main])}, which an outpatient clinic treats; all ${c.lines.length} lines, ${yuan(total)} yuan, for review`,
      }),
    ];
  },
  fixtures,
};

function fixtures(): RuleFixtures<LowStandardAdmissionParams> {
  const stay = (code: string, discharged: string, extra: { itemCode: string; at: string; category?: 'operation' }[] = []) =>
    claim({
      admitted: '2026-10-04 10:00',
      discharged,
      diagnoses: [{ code, main: true }],
      lines: [{ itemCode: 'BED', at: '2026-10-04 10:00', category: 'bed' }, { itemCode: 'LAB', at: '2026-10-04 11:00', amountFen: 3000 }, ...extra],
    });
  return {
    fires: [
      { name: 'two days in hospital for an upper respiratory infection (J06.900)', claim: stay('J06.900', '2026-10-06 09:00'), expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 4000 } },
      { name: 'three days for gastroenteritis (K52.900)', claim: stay('K52.900', '2026-10-07 09:00') },
      { name: 'a same-day stay for hypertension (I10), the list extended by the deployment', claim: stay('I10.x00', '2026-10-04 18:00'), params: { outpatientTreatable: ['I10'] } },
    ],
    passes: [
      { name: 'four days for an upper respiratory infection', claim: stay('J06.900', '2026-10-08 09:00') },
      { name: 'two days for pneumonia (J18.900, not outpatient-treatable)', claim: stay('J18.900', '2026-10-06 09:00') },
      { name: 'two days with an operation', claim: stay('K52.900', '2026-10-06 09:00', [{ itemCode: 'OP', at: '2026-10-05 09:00', category: 'operation' }]) },
      { name: 'an outpatient visit for an upper respiratory infection', claim: claim({ diagnoses: [{ code: 'J06.900', main: true }], lines: [{ itemCode: 'V', at: '2026-10-04 09:00' }] }) },
    ],
  };
}
