import type { ClaimLine } from '../claim.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { decimal4, itemName, yuan } from '../text.js';
import { beyondLimitHits, cumulativeExcess, dayIndex, newlyBeyond, occurrences, whereLines, type Occurrence } from './over-limit.js';
import { noParams } from '../params.js';
import { NONE } from '../facts.js';

/**
 * An item billed for one person more than `timesPerCycle.times` times within any `cycleDays`
 * consecutive CST days (e.g. HbA1c once per 15 days), at any institution. Times are units of
 * quantity. Counted in service-time order over this claim and the person's other claims: a line
 * is over the limit when it and the lines in the `cycleDays` days up to it (dates less than
 * `cycleDays` apart) number more than `times`; so with 1 per 15 days, 10-01 and 10-15 break the
 * limit and 10-01 and 10-16 do not. Every billing counts, refused or not, as the national lists
 * state it as an interval between services. A late claim dated before an earlier claim's line
 * moves the excess to that line, which is reported on its claim.
 */
export const quantityCycle: Rule = {
  id: 'QTY-CYCLE',
  version: 1,
  family: 'quantity',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '同一患者在限定周期内某项目的次数超过上限 (跨机构)',
    en: 'An item billed for one person more times within its cycle than allowed, at any institution',
  },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref, facts }) {
    if (!facts.restricts('timesPerCycle')) return NONE;
    const others = facts.others;
    const firstOfCode = new Map<string, ClaimLine>();
    for (const l of c.lines) if (!firstOfCode.has(l.itemCode)) firstOfCode.set(l.itemCode, l);
    const hits: RuleHit[] = [];
    for (const first of firstOfCode.values()) {
      const cycle = ref.item(first.itemCode, first.serviceDate)?.restrictions.timesPerCycle;
      if (!cycle || cycle.cycleDays <= 0) continue;
      const together = (a: Occurrence, b: Occurrence) => dayIndex(b.line.serviceDate) - dayIndex(a.line.serviceDate) < cycle.cycleDays;
      const all = occurrences(c, others, first.itemCode, () => true);
      const beyond = newlyBeyond(
        all,
        (occs) => cumulativeExcess(occs, cycle.times * 10_000, together),
        (o) => o.line.quantity,
      );
      if (beyond.length === 0) continue;
      const name = itemName(first, ref);
      hits.push(
        ...beyondLimitHits(c, all, beyond, (target, excess) => {
          const k = excess[0]!.occ;
          const window = all.slice(0, all.indexOf(k) + 1).filter((o) => o === k || together(o, k));
          const count = decimal4(window.reduce((s, o) => s + o.line.quantity, 0));
          const from = window[0]!.line.serviceDate;
          const where = whereLines(
            c,
            target,
            excess.map((e) => e.occ.line.lineId),
          );
          const fen = yuan(excess.reduce((s, e) => s + e.amountFen, 0));
          return {
            zh: `${name} 在 ${from} 至 ${k.line.serviceDate} 计费 ${count} 次, 超过每 ${cycle.cycleDays} 天 ${cycle.times} 次的限制; ${where.zh} 超出, 涉及金额 ${fen} 元`,
            en: `${name} billed ${count} times from ${from} to ${k.line.serviceDate}; the limit is ${cycle.times} per ${cycle.cycleDays} days; over it: ${where.en}; ${fen} yuan at issue`,
          };
        }),
      );
    }
    return hits;
  },
  fixtures: () => {
    const ref = reference({ items: [item({ itemCode: '002503020030000', name: '糖化血红蛋白测定', category: 'lab', restrictions: { timesPerCycle: { times: 1, cycleDays: 15 } } })] });
    const test = (when: string, amountFen = 4000) => ({ itemCode: '002503020030000', at: when, amountFen });
    return {
      fires: [
        {
          name: 'the 15th day counting the first (14 days apart), another institution, arriving second and later',
          claim: claim({ claimNo: 'C2', lines: [test('2026-10-15 08:00')] }),
          history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C1', lines: [test('2026-10-01 10:00')] })] },
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 4000, otherClaims: ['C1'] },
        },
        {
          name: 'arriving second but dated earlier: the earlier claim’s later test is over (retrospective)',
          claim: claim({ claimNo: 'C1', lines: [test('2026-10-01 10:00')] }),
          history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C2', lines: [test('2026-10-15 08:00', 4500)] })] },
          reference: ref,
          expect: { hits: 1, violatingLines: [], amountFen: 4500, otherClaims: ['C2'] },
        },
        {
          name: 'two in one claim, a week apart',
          claim: claim({ lines: [test('2026-10-01 10:00'), test('2026-10-08 10:00')] }),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L2'], amountFen: 4000 },
        },
      ],
      passes: [
        {
          name: 'the 16th day (15 days apart)',
          claim: claim({ claimNo: 'C2', lines: [test('2026-10-16 00:00')] }),
          history: { personClaims: [claim({ claimNo: 'C1', lines: [test('2026-10-01 23:59')] })] },
          reference: ref,
        },
        {
          name: 'an earlier pair already over the limit, this one 15 days after the later of them',
          claim: claim({ claimNo: 'C3', lines: [test('2026-10-20 09:00')] }),
          history: { personClaims: [claim({ claimNo: 'C1', lines: [test('2026-10-01 09:00'), test('2026-10-05 09:00')] })] },
          reference: ref,
        },
        {
          name: 'an item without a cycle limit',
          claim: claim({
            lines: [
              { itemCode: 'X', at: '2026-10-01 10:00' },
              { itemCode: 'X', at: '2026-10-02 10:00' },
            ],
          }),
          reference: ref,
        },
      ],
    };
  },
};
