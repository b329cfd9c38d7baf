import { z } from 'zod';
import type { Claim, ClaimLine, LineCategory } from '../claim.js';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim, type LineSpec } from '../fixtures/build.js';
import { itemName, yuan } from '../text.js';
import { dateList, daysBetween, ids, stayOf, sumFen } from './stay.js';
import { code, lineCategory, list, range } from '../params.js';
import { NONE } from '../facts.js';

export interface BedEmptyDaysParams {
  /** this many empty days or more is suspect, whatever the stay's length */
  minEmptyDays: number;
  /** more empty days than this share of the stay's days is suspect (0.5: more than half) */
  maxEmptyShare: number;
  /** categories that are only bed or basic fees */
  basicCategories: LineCategory[];
  /** catalogue items billed daily whether or not the patient is treated (heating, cooling, the ward round fee) */
  basicItemCodes: string[];
}

/**
 * 挂床 by empty days: CST dates of the stay (admission date to discharge date, both included) on
 * which lines were billed and every one of them is a bed or basic fee: no drug, treatment, exam,
 * lab, nursing or operation. A date with nothing billed costs the fund nothing and is not counted.
 * The stay's length is the fund's bed-day count, discharge date minus admission date (算入不算出,
 * at least 1). Fires at `minEmptyDays` empty days or more, or when the empty days exceed
 * `maxEmptyShare` of the stay (a 4-day stay with 2 empty days is exactly half and passes; 3 of a
 * 4-day stay fires). The amount at issue is every line of those days. A suspicion (medium): a
 * patient waiting for surgery or kept for observation can have quiet days.
 */
export const bedEmptyDays: Rule<BedEmptyDaysParams> = {
  id: 'BED-EMPTY-DAYS',
  version: 1,
  family: 'bed-hanging',
  severity: 'medium',
  status: 'active',
  description: {
    zh: '挂床住院: 住院期间仅收取床位费或基础费用、无任何药品、治疗、检查、化验、护理、手术的天数达到 N 天, 或超过住院天数的一半',
    en: 'Bed-hanging: inpatient days billed with nothing but bed or basic fees (no drug, treatment, exam, lab, nursing or operation) reaching N days, or more than half of the stay',
  },
  effectiveFrom: '2000-01-01',
  defaults: {
    minEmptyDays: 3,
    maxEmptyShare: 0.5,
    basicCategories: ['bed'],
    basicItemCodes: ['001102000050000', '001107000010000', '001108000010000'],
  },
  paramSchema: z
    .object({
      minEmptyDays: range({ min: 1, max: 365, int: true }),
      maxEmptyShare: range({ min: 0, max: 1 }),
      basicCategories: list(lineCategory(), 8),
      basicItemCodes: list(code(50), 1000),
    })
    .strict(),
  evaluate({ claim: c, reference, params: p }) {
    const stay = stayOf(c);
    if (!stay) return NONE;
    const basic = (l: ClaimLine) => p.basicCategories.includes(l.category) || p.basicItemCodes.includes(l.itemCode);
    const byDate = new Map<string, ClaimLine[]>();
    for (const l of c.lines) {
      if (l.serviceDate < stay.admissionDate || l.serviceDate > stay.dischargeDate) continue;
      const day = byDate.get(l.serviceDate);
      if (day) day.push(l);
      else byDate.set(l.serviceDate, [l]);
    }
    // filled from a literal, not made by filter and map: see rules/decide.ts
    const empty: string[] = [];
    for (const [date, dayLines] of byDate) if (dayLines.every(basic)) empty.push(date);
    empty.sort();
    const stayDays = Math.max(1, daysBetween(stay.admissionDate, stay.dischargeDate));
    if (empty.length === 0 || (empty.length < p.minEmptyDays && empty.length <= p.maxEmptyShare * stayDays)) return NONE;
    const lines = c.lines.filter((l) => empty.includes(l.serviceDate));
    const names = [...new Set(lines.map((l) => itemName(l, reference)))].join(', ');
    const amountFen = sumFen(lines);
    const share = `${Math.round(p.maxEmptyShare * 100)}%`;
    return [
      {
        message: {
          zh: `挂床嫌疑: 住院 ${stay.admissionDate} 至 ${stay.dischargeDate} 共 ${stayDays} 天, 其中 ${empty.length} 天 (${dateList(empty)}) 仅收取床位或基础费用 (${names}), 无药品、治疗、检查、化验、护理、手术; 阈值为 ${p.minEmptyDays} 天或住院天数的 ${share}; 涉及 ${yuan(amountFen)} 元`,
          en: `Possible bed-hanging: stay ${stay.admissionDate} to ${stay.dischargeDate}, ${stayDays} days, of which ${empty.length} (${dateList(empty)}) billed only bed or basic fees (${names}), with no drug, treatment, exam, lab, nursing or operation; threshold ${p.minEmptyDays} days or ${share} of the stay; ${yuan(amountFen)} yuan at issue`,
        },
        violatingLines: ids(lines),
        involvedLines: [],
        otherClaims: [],
        amountFen,
      },
    ];
  },
  fixtures,
};

type Kind = 'bed' | 'ward-round' | 'drug' | 'nursing';

function fixtures(): RuleFixtures<BedEmptyDaysParams> {
  const LINE: Record<Kind, Omit<LineSpec, 'at'>> = {
    bed: { itemCode: '001109000010000', category: 'bed', amountFen: 5000 },
    'ward-round': { itemCode: '001102000050000', category: 'service', amountFen: 1000 },
    drug: { itemCode: 'XA02BCA211A001010100', category: 'drug', amountFen: 2000 },
    nursing: { itemCode: '001201000020000', category: 'nursing', amountFen: 1500 },
  };
  /** a stay from the kinds of line billed on each date */
  const stay = (admitted: string, discharged: string, days: Record<string, Kind[]>) => {
    const lines = Object.entries(days).flatMap(([date, kinds]) => kinds.map((k, i) => ({ ...LINE[k], at: `${date} ${String(8 + i).padStart(2, '0')}:00` })));
    return claim({ admitted, discharged, lines });
  };
  const linesOn = (c: Claim, dates: string[]) => c.lines.filter((l) => dates.includes(l.serviceDate)).map((l) => l.lineId);
  const idle: Kind[] = ['bed', 'ward-round'];
  const busy: Kind[] = ['bed', 'drug'];
  const tenDays = (emptyDates: string[]) => {
    const days: Record<string, Kind[]> = {};
    for (let d = 1; d <= 11; d++) {
      const date = `2026-10-${String(d).padStart(2, '0')}`;
      days[date] = emptyDates.includes(date) ? idle : d === 11 ? ['drug'] : busy;
    }
    return stay('2026-10-01 09:00', '2026-10-11 10:00', days);
  };
  const three = tenDays(['2026-10-03', '2026-10-04', '2026-10-05']);
  const shortStay = stay('2026-10-01 09:00', '2026-10-04 10:00', { '2026-10-01': busy, '2026-10-02': idle, '2026-10-03': idle });
  return {
    fires: [
      {
        name: '3 empty days in a 10-day stay (the day-count threshold)',
        claim: three,
        expect: { hits: 1, violatingLines: linesOn(three, ['2026-10-03', '2026-10-04', '2026-10-05']), amountFen: 18000 },
      },
      {
        name: '2 empty days of a 3-day stay (more than half)',
        claim: shortStay,
        expect: { hits: 1, violatingLines: linesOn(shortStay, ['2026-10-02', '2026-10-03']), amountFen: 12000 },
      },
      {
        name: 'a one-day stay billed only a bed fee',
        claim: stay('2026-10-01 09:00', '2026-10-02 08:00', { '2026-10-01': ['bed'] }),
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 5000 },
      },
      {
        name: 'nursing counted as basic when a deployment lists it',
        claim: stay('2026-10-01 09:00', '2026-10-03 10:00', { '2026-10-01': busy, '2026-10-02': ['bed', 'nursing'], '2026-10-03': ['bed', 'nursing'] }),
        params: { basicCategories: ['bed', 'nursing'] },
        expect: { hits: 1, amountFen: 13000 },
      },
    ],
    passes: [
      { name: '2 empty days in a 10-day stay', claim: tenDays(['2026-10-03', '2026-10-04']) },
      {
        name: 'exactly half: 2 empty days of a 4-day stay',
        claim: stay('2026-10-01 09:00', '2026-10-05 10:00', { '2026-10-01': busy, '2026-10-02': idle, '2026-10-03': idle, '2026-10-04': busy }),
      },
      {
        name: 'bed and nursing only: nursing is care',
        claim: stay('2026-10-01 09:00', '2026-10-05 10:00', { '2026-10-01': busy, '2026-10-02': ['bed', 'nursing'], '2026-10-03': ['bed', 'nursing'], '2026-10-04': ['bed', 'nursing'] }),
      },
      {
        name: 'dates with nothing billed are not empty days',
        claim: stay('2026-10-01 09:00', '2026-10-11 10:00', { '2026-10-01': busy, '2026-10-10': busy }),
      },
      { name: 'an outpatient claim', claim: claim({ visit: '2026-10-01 09:00', lines: [{ ...LINE.bed, at: '2026-10-01 09:00' }] }) },
    ],
  };
}
