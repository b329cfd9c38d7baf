import { z } from 'zod';
import type { Claim, ClaimLine } from '../claim.js';
import { NONE } from '../facts.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { beyondLimitHits, cumulativeExcess, newlyBeyond, occurrences, whereLines } from '../quantity/over-limit.js';
import { decimal4, itemName, yuan } from '../text.js';
import { flag } from '../params.js';

interface Params {
  /** count the person's claims at every institution, not only the one billing (the national list means one) */
  acrossInstitutions: boolean;
}

/**
 * More units of an item for one person on one CST day at one institution than the catalogue's
 * units per day (national frequency list, e.g. 住院诊查费 once a day). This claim and the person's
 * other claims that day are counted together in service-time order; the lines that carry the day
 * past the limit are violating, and the amount at issue is the excess units' share of them. When
 * a late claim's line is earlier in the day, the later line of the earlier claim is the one over
 * the limit and is reported on that claim.
 */
export const duplicateUnitsPerDay: Rule<Params> = {
  id: 'DUP-UNITS-PER-DAY',
  version: 1,
  family: 'duplicate',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '同一患者同一天在同一机构某项目的计费数量超过每日限量',
    en: 'More units of an item billed for one person on one day at one institution than its daily limit',
  },
  effectiveFrom: '2000-01-01',
  defaults: { acrossInstitutions: false },
  paramSchema: z.object({ acrossInstitutions: flag() }).strict(),
  evaluate({ claim: c, reference: ref, params, facts }) {
    if (!facts.restricts('unitsPerDay')) return NONE;
    // the claim's lines by item and day (most items have no daily limit, and most limited days
    // hold no more than the limit with the person's other claims that day: nothing more is done)
    const items = facts.items;
    let hits: RuleHit[] | undefined;
    let others: readonly Claim[] | undefined;
    for (const { code, date, index, lines, quantity } of facts.codeDays) {
      const limit = items[index]?.restrictions.unitsPerDay;
      if (limit === undefined) continue;
      others ??= params.acrossInstitutions ? facts.others : facts.othersHere;
      let total = quantity;
      for (const o of others) for (const l of o.lines) if (l.quantity > 0 && l.itemCode === code && l.serviceDate === date) total += l.quantity;
      if (total <= limit * 10_000) continue;
      const first = lines[0]!;
      const all = occurrences(c, others, code, (l) => l.serviceDate === date);
      const beyond = newlyBeyond(
        all,
        (occs) => cumulativeExcess(occs, limit * 10_000, () => true),
        (o) => o.line.quantity,
      );
      if (beyond.length === 0) continue;
      const name = itemName(first, ref);
      const totalText = decimal4(all.reduce((s, o) => s + o.line.quantity, 0));
      const here = decimal4(all.filter((o) => o.current).reduce((s, o) => s + o.line.quantity, 0));
      (hits ??= []).push(
        ...beyondLimitHits(c, all, beyond, (target, excess) => {
          const where = whereLines(
            c,
            target,
            excess.map((e) => e.occ.line.lineId),
          );
          const units = decimal4(excess.reduce((s, e) => s + e.units, 0));
          const fen = yuan(excess.reduce((s, e) => s + e.amountFen, 0));
          return {
            zh: `${name} 于 ${first.serviceDate} 计费 ${totalText} (本单 ${here}), 超过每日限量 ${limit}; ${where.zh} 超出 ${units}, 涉及金额 ${fen} 元`,
            en: `${name} billed ${totalText} units on ${first.serviceDate} (${here} in this claim); the limit is ${limit} a day; over it by ${units}: ${where.en}; ${fen} yuan at issue`,
          };
        }),
      );
    }
    return hits ?? NONE;
  },
  fixtures: () => {
    const ref = reference({ items: [item({ itemCode: '001102000050000', name: '住院诊查费', restrictions: { unitsPerDay: 1 } })] });
    const at = (when: string, over: Partial<ClaimLine> = {}) => ({ itemCode: '001102000050000', at: when, ...over });
    return {
      fires: [
        {
          name: 'three a day in one claim: the second and third exceed a limit of one',
          claim: claim({ lines: [at('2026-10-04 08:00'), at('2026-10-04 12:00'), at('2026-10-04 23:59')] }),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L2', 'L3'], amountFen: 2000 },
        },
        {
          name: 'one line of quantity 3 against a limit of one: two thirds of it at issue',
          claim: claim({ lines: [at('2026-10-04 08:00', { quantity: 30_000, unitPrice: 100_000, amountFen: 3000 })] }),
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 2000 },
        },
        {
          name: 'arriving second and later in the day than the earlier claim’s line: this line exceeds',
          claim: claim({ claimNo: 'C2', lines: [at('2026-10-04 15:00')] }),
          history: { personClaims: [claim({ claimNo: 'C1', lines: [at('2026-10-04 08:00')] })] },
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 1000, otherClaims: ['C1'] },
        },
        {
          name: 'arriving second but earlier in the day: the earlier claim’s later line exceeds (retrospective)',
          claim: claim({ claimNo: 'C1', lines: [at('2026-10-04 08:00')] }),
          history: { personClaims: [claim({ claimNo: 'C2', lines: [at('2026-10-04 15:00')] })] },
          reference: ref,
          expect: { hits: 1, violatingLines: [], amountFen: 1000, otherClaims: ['C2'] },
        },
        {
          name: 'the same day at another institution, when the deployment counts across institutions',
          claim: claim({ claimNo: 'C2', lines: [at('2026-10-04 15:00')] }),
          history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C1', lines: [at('2026-10-04 08:00')] })] },
          reference: ref,
          params: { acrossInstitutions: true },
          expect: { hits: 1, violatingLines: ['L1'], otherClaims: ['C1'] },
        },
      ],
      passes: [
        {
          name: 'exactly the limit: one on each of two days, the second at 00:00',
          claim: claim({ lines: [at('2026-10-04 23:59'), at('2026-10-05 00:00')] }),
          reference: ref,
        },
        {
          name: 'the same day at another institution',
          claim: claim({ claimNo: 'C2', lines: [at('2026-10-04 15:00')] }),
          history: { personClaims: [claim({ institutionId: 'H2', claimNo: 'C1', lines: [at('2026-10-04 08:00')] })] },
          reference: ref,
        },
        {
          name: 'the day already over the limit in earlier claims, this claim adds nothing that day',
          claim: claim({ claimNo: 'C3', lines: [at('2026-10-05 08:00')] }),
          history: { personClaims: [claim({ claimNo: 'C1', lines: [at('2026-10-04 08:00'), at('2026-10-04 09:00')] })] },
          reference: ref,
        },
        {
          name: 'an item without a daily limit',
          claim: claim({
            lines: [
              { itemCode: 'X', at: '2026-10-04 08:00' },
              { itemCode: 'X', at: '2026-10-04 09:00' },
            ],
          }),
          reference: ref,
        },
      ],
    };
  },
};
