import { z } from 'zod';
import type { ClaimLine } from '../claim.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { itemName, yuan } from '../text.js';
import { beyondLimitHits, plural, dateOfIndex, dayIndex, newlyBeyond, occurrences, whereLines, type Occurrence } from './over-limit.js';
import { flag, range } from '../params.js';
import { NONE } from '../facts.js';

interface Params {
  /** unbilled days, as a share of the item's courseDays, after which billing it again starts a new course */
  newCourseAfterIdleShare: number;
  /**
   * let a drug line cover its days of supply, not only its service date. Only sound when the
   * history's lines carry days of supply as the screened claim's do: a line judged with its supply
   * and later seen without it would have part of its excess reported twice.
   */
  countDaysOfSupply: boolean;
}

interface Place {
  beyond: number;
  courseStart: number;
  courseEnd: number;
}

/** A line covers its service date and, when counted, the days of supply that follow it. */
const coverageOf = (withSupply: boolean) => (l: ClaimLine) => (withSupply ? Math.max(1, l.daysOfSupply ?? 1) : 1);

/**
 * Courses of the item, in service order: a course starts at its first billing and runs on while
 * the item is billed again within `idleDays` of the last day covered. Days after the course's
 * `courseDays`-th are beyond it. Adding a line only merges courses or starts them earlier, so the
 * days beyond never fall as lines are added (see over-limit.ts).
 */
function courses(occs: readonly Occurrence[], courseDays: number, idleDays: number, coverage: (l: ClaimLine) => number): Map<Occurrence, Place> {
  const out = new Map<Occurrence, Place>();
  let courseStart = Number.NaN;
  let coveredTo = Number.NaN;
  for (const o of occs) {
    const start = dayIndex(o.line.serviceDate);
    const end = start + coverage(o.line) - 1;
    if (!(start - coveredTo - 1 < idleDays)) {
      courseStart = start;
      coveredTo = end;
    } else coveredTo = Math.max(coveredTo, end);
    const courseEnd = courseStart + courseDays - 1;
    out.set(o, { beyond: Math.max(0, Math.min(coverage(o.line), end - courseEnd)), courseStart, courseEnd });
  }
  return out;
}

/**
 * An item billed for one person over a longer span than its course (national lists: 手功能训练
 * at most 90 days in one illness, 天麻素注射液 at most 14 days), at any institution. A course
 * starts at the item's first billing and ends after `courseDays` days. A pause of at least
 * `newCourseAfterIdleShare` × courseDays unbilled days starts a new course. The amount at issue
 * is each line's share of days beyond the course. By default a line covers its service date only
 * (history lines carry no days of supply yet); one line supplying more days than the course is
 * QTY-DAYS-SUPPLY's to find.
 *
 * A suspicion ('high'): where one illness ends is inferred from the pause, not known. The
 * person's history must reach back a course for the start to be seen.
 */
export const quantityCourse: Rule<Params> = {
  id: 'QTY-COURSE',
  version: 1,
  family: 'quantity',
  severity: 'high',
  status: 'active',
  description: {
    zh: '同一患者某项目或药品的使用跨度超过限定疗程天数',
    en: 'An item or drug billed for one person over a span longer than its course',
  },
  effectiveFrom: '2000-01-01',
  defaults: { newCourseAfterIdleShare: 1, countDaysOfSupply: false },
  paramSchema: z.object({ newCourseAfterIdleShare: range({ min: 0, max: 10, minExclusive: true }), countDaysOfSupply: flag() }).strict(),
  evaluate({ claim: c, reference: ref, params, facts }) {
    if (!facts.restricts('courseDays')) return NONE;
    const others = facts.others;
    const firstOfCode = new Map<string, ClaimLine>();
    for (const l of c.lines) if (!firstOfCode.has(l.itemCode)) firstOfCode.set(l.itemCode, l);
    const hits: RuleHit[] = [];
    for (const first of firstOfCode.values()) {
      const courseDays = ref.item(first.itemCode, first.serviceDate)?.restrictions.courseDays;
      if (courseDays === undefined || courseDays <= 0) continue;
      const idleDays = Math.max(1, Math.ceil(params.newCourseAfterIdleShare * courseDays));
      const coverage = coverageOf(params.countDaysOfSupply);
      const all = occurrences(c, others, first.itemCode, () => true);
      const after = courses(all, courseDays, idleDays, coverage);
      const share = (occs: Occurrence[]) => new Map([...courses(occs, courseDays, idleDays, coverage)].map(([o, p]) => [o, p.beyond]));
      const beyond = newlyBeyond(all, share, (o) => coverage(o.line));
      if (beyond.length === 0) continue;
      const name = itemName(first, ref);
      hits.push(
        ...beyondLimitHits(c, all, beyond, (target, excess) => {
          const place = after.get(excess[0]!.occ)!;
          const lastDay = Math.max(...excess.map((e) => dayIndex(e.occ.line.serviceDate) + coverage(e.occ.line) - 1));
          const days = excess.reduce((s, e) => s + e.units, 0);
          const where = whereLines(
            c,
            target,
            excess.map((e) => e.occ.line.lineId),
          );
          const fen = yuan(excess.reduce((s, e) => s + e.amountFen, 0));
          const span = lastDay - place.courseStart + 1;
          return {
            zh: `${name} 自 ${dateOfIndex(place.courseStart)} 至 ${dateOfIndex(lastDay)} 共 ${span} 天, 超过限定疗程 ${courseDays} 天 (至 ${dateOfIndex(place.courseEnd)}); ${where.zh} 超出 ${days} 天, 涉及金额 ${fen} 元`,
            en: `${name} billed from ${dateOfIndex(place.courseStart)} to ${dateOfIndex(lastDay)}, ${span} days; the course limit is ${courseDays} days (to ${dateOfIndex(place.courseEnd)}); beyond it by ${plural(days, 'day')}: ${where.en}; ${fen} yuan at issue`,
          };
        }),
      );
    }
    return hits;
  },
  fixtures: () => {
    const ref = reference({ items: [item({ itemCode: 'GAST', name: '天麻素注射液', category: 'drug', restrictions: { courseDays: 14 } })] });
    const dose = (when: string, over: Partial<ClaimLine> = {}) => ({ itemCode: 'GAST', at: when, category: 'drug' as const, amountFen: 1000, ...over });
    return {
      fires: [
        {
          name: 'day 15 of a course started on 10-01, in another claim arriving second',
          claim: claim({ claimNo: 'C2', lines: [dose('2026-10-15 08:00')] }),
          history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C1', lines: [dose('2026-10-01 08:00'), dose('2026-10-08 08:00')] })] },
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 1000, otherClaims: ['C1'] },
        },
        {
          name: 'arriving second with the course’s first dose: the earlier claim’s day-15 dose is beyond (retrospective)',
          claim: claim({ claimNo: 'C1', lines: [dose('2026-10-01 08:00')] }),
          history: { personClaims: [claim({ claimNo: 'C2', lines: [dose('2026-10-08 08:00'), dose('2026-10-15 08:00', { amountFen: 1200 })] })] },
          reference: ref,
          expect: { hits: 1, violatingLines: [], amountFen: 1200, otherClaims: ['C2'] },
        },
        {
          name: 'one line of 15 days’ supply, days of supply counted: one day of fifteen beyond',
          claim: claim({ lines: [dose('2026-10-01 08:00', { daysOfSupply: 15, amountFen: 1500 })] }),
          reference: ref,
          params: { countDaysOfSupply: true },
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 100 },
        },
        {
          name: 'a pause of 13 unbilled days does not start a new course',
          claim: claim({ lines: [dose('2026-10-01 08:00'), dose('2026-10-05 08:00'), dose('2026-10-19 08:00')] }),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L3'] },
        },
      ],
      passes: [
        {
          name: 'day 14 of the course',
          claim: claim({ claimNo: 'C2', lines: [dose('2026-10-14 23:59')] }),
          history: { personClaims: [claim({ claimNo: 'C1', lines: [dose('2026-10-01 00:00')] })] },
          reference: ref,
        },
        {
          name: 'exactly 14 days’ supply, days of supply counted',
          claim: claim({ lines: [dose('2026-10-01 08:00', { daysOfSupply: 14 })] }),
          reference: ref,
          params: { countDaysOfSupply: true },
        },
        {
          name: '15 days’ supply on one date, by default (the service date alone is billed)',
          claim: claim({ lines: [dose('2026-10-01 08:00', { daysOfSupply: 15 })] }),
          reference: ref,
        },
        {
          name: 'a pause of 14 unbilled days starts a new course',
          claim: claim({ lines: [dose('2026-10-01 08:00'), dose('2026-10-05 08:00'), dose('2026-10-20 08:00')] }),
          reference: ref,
        },
        {
          name: 'an earlier course already beyond its limit; this claim starts a new one after 34 idle days',
          claim: claim({ claimNo: 'C3', lines: [dose('2026-11-20 08:00')] }),
          history: { personClaims: [claim({ claimNo: 'C1', lines: [dose('2026-10-01 08:00'), dose('2026-10-10 08:00'), dose('2026-10-16 08:00')] })] },
          reference: ref,
        },
      ],
    };
  },
};
