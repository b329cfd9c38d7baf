import { z } from 'zod';
import type { Claim } from '../claim.js';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim, reference } from '../fixtures/build.js';
import { range } from '../params.js';
import { yuan } from '../text.js';
import { doctorOf, emptyWindow } from './window.js';
import { cstDate } from '../dates.js';

export interface DoctorCapacityParams {
  /** percent above the doctor's daily capacity tolerated before a claim is judged beyond it */
  marginPct: number;
}

/**
 * Services no one could have given (虚构医疗服务): a doctor's outpatient visits, or admissions, on
 * one day beyond what the doctor can see (the fund's doctors register: `doctors`, with each
 * doctor's daily capacity by visit kind). The claim's doctor is its first line's; the count is the
 * claims of the same visit kind at the doctor's institution started that day with the same doctor,
 * stored before this one, plus this one. A claim counted above the capacity (plus `marginPct`) is
 * sent to review (high), whole: the visits beyond what the doctor could see. A doctor the register
 * does not list, or lists at another institution, or without a capacity for the visit kind, is
 * not judged.
 */
export const doctorCapacity: Rule<DoctorCapacityParams> = {
  id: 'DOCTOR-CAPACITY',
  version: 1,
  family: 'doctor-capacity',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '医师当日接诊 (或收治) 人次超过其日接诊能力: 疑似虚构医疗服务, 转人工审核',
    en: "A doctor's visits (or admissions) in one day beyond the doctor's daily capacity: possibly services that never took place, for review",
  },
  effectiveFrom: '2000-01-01',
  defaults: { marginPct: 0 },
  paramSchema: z.object({ marginPct: range({ min: 0, max: 200 }) }).strict(),
  evaluate({ claim: c, history, reference: ref, params: p }) {
    if (c.visitType === 'pharmacy') return [];
    const doctorId = doctorOf(c);
    if (doctorId === undefined) return [];
    const day = cstDate(c.startedAt);
    const doctor = ref.doctor(doctorId, day);
    if (!doctor || doctor.institutionId !== c.institutionId) return [];
    const capacity = c.visitType === 'outpatient' ? doctor.outpatientPerDay : doctor.admissionsPerDay;
    if (capacity === undefined) return [];
    const limit = Math.floor(capacity * (1 + p.marginPct / 100));
    const count = (history.institution?.doctorDay ?? 0) + 1;
    if (count <= limit) return [];
    const kindZh = c.visitType === 'outpatient' ? '门诊接诊' : '收治住院';
    const kindEn = c.visitType === 'outpatient' ? 'outpatient visit' : 'admission';
    const total = c.lines.reduce((s, l) => s + l.amountFen, 0);
    const margin = p.marginPct > 0 ? { zh: ` 加 ${p.marginPct}%, 即 ${limit}`, en: ` plus ${p.marginPct}%, so ${limit}` } : { zh: '', en: '' };
    return [
      {
        message: {
          zh: `医师 ${doctorId} ${day} 第 ${count} 次${kindZh}, 超过其日能力 ${capacity} 人次${margin.zh}; 全部 ${c.lines.length} 行 ${yuan(total)} 元转人工审核`,
          en: `Doctor ${doctorId}'s ${ordinal(count)} ${kindEn} on ${day}, beyond the doctor's daily capacity of ${capacity}${margin.en}; all ${c.lines.length} lines, ${yuan(total)} yuan, for review`,
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

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${n % 10 > 3 ? 'th' : suffix}`;
}

function fixtures(): RuleFixtures<DoctorCapacityParams> {
  const visit = (doctorId: string | undefined, institutionId = 'H1'): Claim =>
    claim({
      institutionId,
      visit: '2026-10-04 16:00',
      lines: [
        { itemCode: 'VISIT', at: '2026-10-04 16:00', doctorId },
        { itemCode: 'LAB', at: '2026-10-04 16:10', category: 'lab', amountFen: 2500 },
      ],
    });
  const ref = reference({ doctors: [{ doctorId: 'D1', institutionId: 'H1', outpatientPerDay: 60, admissionsPerDay: 8 }] });
  const seen = (doctorDay: number) => ({ institution: { ...emptyWindow, doctorDay } });
  return {
    fires: [
      { name: "the doctor's 61st outpatient visit of the day, capacity 60", claim: visit('D1'), history: seen(60), reference: ref, expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 3500 } },
      {
        name: 'the 9th admission of the day by a doctor who admits 8',
        claim: claim({ institutionId: 'H1', admitted: '2026-10-04 20:00', discharged: '2026-10-09 09:00', lines: [{ itemCode: 'BED', at: '2026-10-04 20:00', category: 'bed', doctorId: 'D1' }] }),
        history: seen(8),
        reference: ref,
      },
      { name: 'the 70th visit with a 10% margin (limit 66)', claim: visit('D1'), history: seen(69), reference: ref, params: { marginPct: 10 } },
    ],
    passes: [
      { name: 'the 60th visit, at capacity', claim: visit('D1'), history: seen(59), reference: ref },
      { name: 'the 61st visit with a 10% margin', claim: visit('D1'), history: seen(60), reference: ref, params: { marginPct: 10 } },
      { name: 'a doctor the register does not list', claim: visit('D9'), history: seen(200), reference: ref },
      { name: 'a claim naming no doctor', claim: visit(undefined), history: seen(200), reference: ref },
      { name: 'the doctor listed at another institution', claim: visit('D1', 'H2'), history: seen(200), reference: ref },
    ],
  };
}
