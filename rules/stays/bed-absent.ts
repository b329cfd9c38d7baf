import { z } from 'zod';
import type { Claim, ClaimLine, VisitType } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim } from '../fixtures/build.js';
import type { ReferenceView } from '../reference.js';
import { itemName, yuan } from '../text.js';
import { dateList, datesFrom, ids, otherClaims, refTo, stayOf, sumFen, type Stay } from './stay.js';
import { list, visitType } from '../params.js';

export interface BedAbsentParams {
  /** visit types that show the patient was out of the ward */
  absentVisitTypes: VisitType[];
}

const VISIT_ZH: Record<VisitType, string> = { outpatient: '门诊', pharmacy: '药店购药', inpatient: '住院' };

/** Dates strictly between admission and discharge dates: the patient may see a doctor before admission or buy drugs after discharge. */
const insideStay = (s: Stay, date: string) => date > s.admissionDate && date < s.dischargeDate;

function hit(stay: Stay, visit: Claim, visitLines: ClaimLine[], stayLines: ClaimLine[], reference: ReferenceView) {
  const dates = dateList(visitLines.map((l) => l.serviceDate));
  const names = [...new Set(visitLines.map((l) => itemName(l, reference)))].join(', ');
  const s = stay.claim;
  const amountFen = sumFen(stayLines);
  return {
    zh: `挂床嫌疑: 参保人住院期间 (机构 ${s.institutionId} 结算单 ${s.claimNo}, ${stay.admissionDate} 入院至 ${stay.dischargeDate} 出院) 于 ${dates} 在机构 ${visit.institutionId} 有${VISIT_ZH[visit.visitType]}结算 (结算单 ${visit.claimNo}: ${names}), 当日不在床; 住院结算单当日费用 ${stayLines.length} 行 ${yuan(amountFen)} 元`,
    en: `Possible bed-hanging: during the stay of claim ${s.claimNo} at institution ${s.institutionId} (admitted ${stay.admissionDate}, discharged ${stay.dischargeDate}) the person had ${visit.visitType === 'outpatient' ? 'an outpatient' : 'a pharmacy'} claim ${visit.claimNo} at institution ${visit.institutionId} on ${dates} (${names}), so was not in bed; the stay bills ${stayLines.length} lines, ${yuan(amountFen)} yuan, on those days`,
    amountFen,
  };
}

/**
 * 挂床 by absence: an outpatient or pharmacy claim of the same person at another institution dated
 * strictly inside an inpatient stay (after the admission date, before the discharge date, CST): on
 * those days the patient was not in bed. The admission and discharge days are left out because a
 * visit before admission or a purchase after discharge that day is ordinary. The stay's lines on
 * those days are at issue; when the stay is the earlier-arrived claim they are named on it for a
 * retrospective finding. A suspicion (high): presence elsewhere is hard evidence, but an exam sent
 * out to another hospital, or a relative using the card, needs a reviewer to tell apart.
 */
export const bedAbsent: Rule<BedAbsentParams> = {
  id: 'BED-ABSENT',
  version: 1,
  family: 'bed-hanging',
  severity: 'high',
  status: 'active',
  description: {
    zh: '挂床住院: 住院期间 (入院日与出院日之间) 同一参保人在其他机构有门诊或药店购药结算, 患者不在床',
    en: 'Bed-hanging: outpatient or pharmacy claims of the same person at another institution dated strictly between the admission and discharge days of a stay',
  },
  effectiveFrom: '2000-01-01',
  defaults: { absentVisitTypes: ['outpatient', 'pharmacy'] },
  paramSchema: z.object({ absentVisitTypes: list(visitType(), 3) }).strict(),
  evaluate({ claim: c, history, reference, params: p }) {
    const hits: RuleHit[] = [];
    const self = stayOf(c);
    for (const o of otherClaims(c, history)) {
      if (o.institutionId === c.institutionId) continue;
      const other = stayOf(o);
      if (self && p.absentVisitTypes.includes(o.visitType)) {
        const visitLines = o.lines.filter((l) => insideStay(self, l.serviceDate));
        if (visitLines.length === 0) continue;
        const dates = new Set(visitLines.map((l) => l.serviceDate));
        const stayLines = c.lines.filter((l) => dates.has(l.serviceDate));
        const { zh, en, amountFen } = hit(self, o, visitLines, stayLines, reference);
        // the visit's lines are named on it as involved, but only beside violating lines here, or they would read as the violators
        hits.push({ message: { zh, en }, violatingLines: ids(stayLines), involvedLines: [], otherClaims: [refTo(o, stayLines.length > 0 ? visitLines : [])], amountFen });
      } else if (other && p.absentVisitTypes.includes(c.visitType)) {
        const visitLines = c.lines.filter((l) => insideStay(other, l.serviceDate));
        if (visitLines.length === 0) continue;
        const dates = new Set(visitLines.map((l) => l.serviceDate));
        const stayLines = o.lines.filter((l) => dates.has(l.serviceDate));
        const { zh, en, amountFen } = hit(other, c, visitLines, stayLines, reference);
        hits.push({ message: { zh, en }, violatingLines: [], involvedLines: ids(visitLines), otherClaims: [refTo(o, stayLines)], amountFen });
      }
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<BedAbsentParams> {
  // A stay at H1 from 10-01 to 10-10: a bed fee (50 yuan) and a drug (20 yuan) on each bed day.
  const stay = claim({
    claimNo: 'C1',
    admitted: '2026-10-01 09:00',
    discharged: '2026-10-10 10:00',
    lines: datesFrom('2026-10-01', '2026-10-09').flatMap((d) => [
      { itemCode: '001109000010000', category: 'bed' as const, at: `${d} 08:00`, amountFen: 5000 },
      { itemCode: 'XA02BCA211A001010100', category: 'drug' as const, at: `${d} 10:00`, amountFen: 2000 },
    ]),
  });
  const on = (date: string) => stay.lines.filter((l) => l.serviceDate === date).map((l) => l.lineId);
  const visit = (at: string, over: { institutionId?: string } = {}) => claim({ institutionId: 'H2', claimNo: 'C9', visit: at, lines: [{ itemCode: '110200001', at, amountFen: 1500 }], ...over });
  const pharmacy = (at: string) =>
    claim({ institutionId: 'Y7', claimNo: 'C9', visitType: 'pharmacy', visit: at, lines: [{ itemCode: 'XC09AAE056A001010100', category: 'drug', at, amountFen: 3000 }] });
  return {
    fires: [
      {
        name: 'the stay arriving after an outpatient claim elsewhere on its fifth day',
        claim: stay,
        history: { personClaims: [visit('2026-10-05 15:00')] },
        expect: { hits: 1, violatingLines: on('2026-10-05'), amountFen: 7000, otherClaims: ['C9'] },
      },
      {
        name: 'the outpatient claim arriving after the stay: the stay’s lines of that day go to the stay',
        claim: visit('2026-10-05 15:00'),
        history: { personClaims: [stay] },
        expect: { hits: 1, violatingLines: [], amountFen: 7000, otherClaims: ['C1'] },
      },
      {
        name: 'a pharmacy purchase on the day after admission (the first day strictly inside)',
        claim: pharmacy('2026-10-02 11:00'),
        history: { personClaims: [stay] },
        expect: { hits: 1, violatingLines: [], amountFen: 7000, otherClaims: ['C1'] },
      },
      {
        name: 'an outpatient claim on the day before discharge (the last day strictly inside)',
        claim: stay,
        history: { personClaims: [visit('2026-10-09 20:00')] },
        expect: { hits: 1, violatingLines: on('2026-10-09') },
      },
    ],
    passes: [
      { name: 'an outpatient visit on the admission day', claim: stay, history: { personClaims: [visit('2026-10-01 08:00')] } },
      { name: 'a pharmacy purchase on the discharge day, arriving after the stay', claim: pharmacy('2026-10-10 16:00'), history: { personClaims: [stay] } },
      { name: 'an outpatient claim at the same institution', claim: stay, history: { personClaims: [visit('2026-10-05 15:00', { institutionId: 'H1' })] } },
      { name: 'an outpatient claim after the stay', claim: visit('2026-10-12 09:00'), history: { personClaims: [stay] } },
      {
        name: 'a pharmacy purchase inside the stay when a deployment judges outpatient visits only',
        claim: pharmacy('2026-10-05 11:00'),
        history: { personClaims: [stay] },
        params: { absentVisitTypes: ['outpatient'] },
      },
    ],
  };
}
