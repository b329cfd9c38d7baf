import { z } from 'zod';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { cstTime, yuan } from '../text.js';
import { cstDate, dateList, datesFrom, ids, otherClaims, refTo, stayOf, sumFen, type Stay } from './stay.js';
import { flag, range } from '../params.js';
import { NONE } from '../facts.js';

export interface StayOverlapParams {
  /** overlaps of this many hours or fewer are tolerated (clock and paperwork differences) */
  toleranceHours: number;
  /** a transfer: the later stay admitted on the CST date the earlier one is discharged, and lasting beyond it */
  allowSameDayTransfer: boolean;
}

const byAdmission = (a: Stay, b: Stay) => a.admittedAt - b.admittedAt || a.dischargedAt - b.dischargedAt || a.claim.claimNo.localeCompare(b.claim.claimNo);
const hours = (ms: number) => String(Number((ms / 3_600_000).toFixed(1)));

/**
 * 叠床: two inpatient stays of one person that overlap in time, at one institution or two. The
 * overlap is the time from the later admission to the earlier discharge; a discharge and an
 * admission at the same minute do not overlap. A transfer, where the next stay starts on the day
 * the first ends and outlasts it, is tolerated by default however the hours of that day overlap,
 * because the two hospitals' admission and discharge clocks rarely agree; an overlap that crosses
 * midnight, or a stay nested inside another, is not a transfer. The later-admitted stay is the
 * suspect (the second bed), so the same lines are at issue whichever claim arrives last: its lines
 * on the overlap's dates, and their sum is the amount; the earlier stay's lines of those dates are
 * involved. When the later stay arrived first its lines are named on it (a retrospective finding).
 * A suspicion (high): one bed is almost certainly not real, but only a review can tell which, and
 * mis-keyed admission times are a common innocent cause.
 */
export const stayOverlap: Rule<StayOverlapParams> = {
  id: 'STAY-OVERLAP',
  version: 1,
  family: 'overlapping-stay',
  severity: 'high',
  status: 'active',
  description: {
    zh: '叠床住院: 同一参保人两次住院 (同一机构或不同机构) 时间重叠; 当日转院 (后一住院在前一住院出院当日入院) 默认不计',
    en: 'Overlapping stays: two inpatient stays of one person overlapping in time, at one institution or two; a same-day transfer is tolerated by default',
  },
  effectiveFrom: '2000-01-01',
  defaults: { toleranceHours: 0, allowSameDayTransfer: true },
  paramSchema: z.object({ toleranceHours: range({ min: 0, max: 72 }), allowSameDayTransfer: flag() }).strict(),
  evaluate({ claim: c, history, params: p }) {
    const self = stayOf(c);
    if (!self) return NONE;
    const hits: RuleHit[] = [];
    for (const o of otherClaims(c, history)) {
      const other = stayOf(o);
      if (!other) continue;
      const start = Math.max(self.admittedAt, other.admittedAt);
      const end = Math.min(self.dischargedAt, other.dischargedAt);
      if (end - start <= p.toleranceHours * 3_600_000) continue;
      const [first, then] = [self, other].sort(byAdmission) as [Stay, Stay];
      const transfer = then.admissionDate === first.dischargeDate && then.dischargedAt >= first.dischargedAt;
      if (p.allowSameDayTransfer && transfer) continue;
      const dates = datesFrom(cstDate(start), cstDate(end));
      const mine = c.lines.filter((l) => dates.includes(l.serviceDate));
      const theirs = o.lines.filter((l) => dates.includes(l.serviceDate));
      // the later admission is the second bed: its lines on the overlap's dates are at issue, whichever claim arrives last
      const selfIsLater = then === self;
      const [suspect, rest] = selfIsLater ? [mine, theirs] : [theirs, mine];
      const amountFen = sumFen(suspect);
      const span = (s: Stay) => `${cstTime(s.admittedAt)} – ${cstTime(s.dischargedAt)}`;
      const second = then.claim;
      hits.push({
        message: {
          zh: `叠床嫌疑: 结算单 ${c.claimNo} (机构 ${c.institutionId}, ${span(self)}) 与结算单 ${o.claimNo} (机构 ${o.institutionId}, ${span(other)}) 住院时间重叠 ${hours(end - start)} 小时 (${dateList(dates)}), 容许 ${p.toleranceHours} 小时; 后入院的结算单 ${second.claimNo} 在重叠日期收费 ${suspect.length} 行 ${yuan(amountFen)} 元, 另一结算单 ${rest.length} 行 ${yuan(sumFen(rest))} 元`,
          en: `Possible overlapping stays: claim ${c.claimNo} (institution ${c.institutionId}, ${span(self)}) and claim ${o.claimNo} (institution ${o.institutionId}, ${span(other)}) overlap by ${hours(end - start)} hours (${dateList(dates)}), tolerance ${p.toleranceHours} hours; on those dates the later-admitted claim ${second.claimNo} bills ${suspect.length} lines, ${yuan(amountFen)} yuan, the other ${rest.length} lines, ${yuan(sumFen(rest))} yuan`,
        },
        violatingLines: selfIsLater ? ids(mine) : [],
        involvedLines: selfIsLater ? [] : ids(mine),
        // the other claim's lines: its violating lines when it is the later stay; else involved, named only beside violating lines of this claim
        otherClaims: [refTo(o, selfIsLater && mine.length === 0 ? [] : theirs)],
        amountFen,
      });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<StayOverlapParams> {
  /** a stay with a 50-yuan bed fee on each date from admission to the day before discharge */
  const stay = (institutionId: string, claimNo: string, admitted: string, discharged: string) =>
    claim({
      institutionId,
      claimNo,
      admitted,
      discharged,
      lines: datesFrom(admitted.slice(0, 10), discharged.slice(0, 10))
        .slice(0, -1)
        .map((d) => ({ itemCode: '001109000010000', category: 'bed' as const, at: `${d} 12:00`, amountFen: 5000 })),
    });
  const a = stay('H1', 'C1', '2026-10-01 09:00', '2026-10-10 10:00');
  const b = stay('H2', 'C2', '2026-10-05 14:00', '2026-10-08 10:00');
  const history = (...personClaims: ReturnType<typeof stay>[]) => ({ personClaims });
  const nightBefore = stay('H1', 'C2', '2026-10-09 22:00', '2026-10-15 10:00');
  return {
    fires: [
      {
        name: 'a stay at another hospital inside the first (the inner stay arriving second)',
        claim: b,
        // b bills 10-05, 10-06, 10-07 (L1–L3), 150 yuan; a bills the same three dates and 10-08 (L5–L8)
        history: history(a),
        expect: { hits: 1, violatingLines: ['L1', 'L2', 'L3'], amountFen: 15000, otherClaims: ['C1'] },
      },
      {
        name: 'the outer stay arriving second: the inner stay’s lines go to it',
        claim: a,
        history: history(b),
        expect: { hits: 1, violatingLines: [], amountFen: 15000, otherClaims: ['C2'] },
      },
      {
        name: 'readmitted at the same institution the night before the first discharge (12 hours across midnight)',
        claim: nightBefore,
        history: history(a),
        expect: { hits: 1, violatingLines: ['L1', 'L2'], amountFen: 10000, otherClaims: ['C1'] },
      },
      {
        name: '12 hours across midnight against a tolerance of 11 hours',
        claim: nightBefore,
        history: history(a),
        params: { toleranceHours: 11 },
        expect: { hits: 1 },
      },
      {
        name: 'a same-day transfer overlapping 2 hours when the deployment does not allow transfers',
        claim: stay('H2', 'C2', '2026-10-10 08:00', '2026-10-14 10:00'),
        history: history(a),
        params: { allowSameDayTransfer: false },
        expect: { hits: 1, otherClaims: ['C1'] },
      },
    ],
    passes: [
      { name: 'admitted elsewhere the minute of discharge', claim: stay('H2', 'C2', '2026-10-10 10:00', '2026-10-14 10:00'), history: history(a) },
      { name: 'a same-day transfer overlapping 2 hours', claim: stay('H2', 'C2', '2026-10-10 08:00', '2026-10-14 10:00'), history: history(a) },
      { name: 'a same-day transfer, the earlier stay arriving second', claim: a, history: history(stay('H2', 'C2', '2026-10-10 08:00', '2026-10-14 10:00')) },
      { name: '12 hours across midnight within a tolerance of 12 hours', claim: nightBefore, history: history(a), params: { toleranceHours: 12 } },
      { name: 'consecutive stays days apart', claim: stay('H2', 'C2', '2026-10-12 09:00', '2026-10-14 10:00'), history: history(a) },
      {
        name: 'an outpatient visit during the stay (BED-ABSENT’s case)',
        claim: claim({ institutionId: 'H2', claimNo: 'C2', visit: '2026-10-05 09:00', lines: [{ itemCode: '110200001', at: '2026-10-05 09:00' }] }),
        history: history(a),
      },
    ],
  };
}
