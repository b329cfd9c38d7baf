import { z } from 'zod';
import type { ClaimLine } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import type { StockRef } from '../reference.js';
import { claim, reference } from '../fixtures/build.js';
import { NONE } from '../facts.js';
import { decimal4, itemName, yuan } from '../text.js';
import { range } from '../params.js';

export interface StockShortageParams {
  /** quantity (×10^4) a month's sales may exceed stock by before it counts, for pack-splitting rounding */
  tolerance: number;
}

/** service order: by service time, then line number */
const inServiceOrder = (a: ClaimLine, b: ClaimLine) => a.serviceAt - b.serviceAt || a.lineNo - b.lineNo;

/** yyyy-MM-dd dates in one month */
const sameMonth = (a: string, b: string) => a === b || a.slice(0, 7) === b.slice(0, 7);

/**
 * 串换 by stock: the quantity of an item an institution bills in a month, the earlier claims'
 * (history.institutionMonthQuantity) plus this claim's, beyond what it had (opening stock plus
 * purchases in the month, 进销存). This claim's lines are taken in service order; the lines that
 * push the month past stock are violating, and the amount is only the excess quantity times each
 * line's unit price: stock exactly used up passes, one unit short withholds one unit. Items or
 * months without a stock record are not judged. Lines dated in another month than the claim's
 * (a stay across a month end) are judged against that month's stock with this claim alone, since
 * the history counts the claim's month only: never a false hit, possibly a missed one.
 * A definite violation: on a correct ledger selling more than was in stock is impossible, the
 * institution is bound to keep the ledger current, and only the excess is withheld.
 */
export const stockShortage: Rule<StockShortageParams> = {
  id: 'SUB-STOCK-SHORTAGE',
  version: 1,
  family: 'substitution',
  severity: 'violation',
  status: 'active',
  description: {
    zh: '串换 (进销存不符): 机构当月某项目结算数量 (本月此前结算加本单) 超过期初库存与当月购进之和, 超出部分不予支付',
    en: 'Substitution by stock: an institution’s billed quantity of an item in the month (earlier claims plus this one) beyond its opening stock plus purchases; the excess is not payable',
  },
  effectiveFrom: '2000-01-01',
  defaults: { tolerance: 0 },
  paramSchema: z.object({ tolerance: range({ min: 0, max: 10_000_000, int: true }) }).strict(),
  evaluate({ claim: c, history, reference: ref, params: p, facts }) {
    // most lines are of items without a stock record: nothing to do unless one of them has one,
    // and only the lines that have one are grouped (a group without a record reports nothing)
    const stocks = facts.stocks;
    if (!stocks) return NONE;
    const all = c.lines;
    // the indices of the lines with a record, in service order (most claims' lines already are)
    const stocked: number[] = [];
    let ordered = true;
    for (let i = 0; i < all.length; i++) {
      if (!stocks[i]) continue;
      if (ordered && stocked.length > 0 && inServiceOrder(all[i]!, all[stocked[stocked.length - 1]!]!) < 0) ordered = false;
      stocked.push(i);
    }
    if (!ordered) stocked.sort((a, b) => inServiceOrder(all[a]!, all[b]!));
    const claimMonth = facts.month;
    // by item and month (in the order of their first line in service order): a few lines, compared
    // in place rather than by a key string built per line; a group's record is its first line's
    // (the claim's institution, the line's item and month: facts.stocks)
    const groups: ClaimLine[][] = [];
    const records: StockRef[] = [];
    for (let k = 0; k < stocked.length; k++) {
      const l = all[stocked[k]!]!;
      let group: ClaimLine[] | undefined;
      for (let g = 0; g < groups.length; g++) {
        const first = groups[g]![0]!;
        if (first.itemCode === l.itemCode && sameMonth(first.serviceDate, l.serviceDate)) {
          group = groups[g];
          break;
        }
      }
      if (group) group.push(l);
      else {
        groups.push([l]);
        records.push(stocks[stocked[k]!]!);
      }
    }
    const hits: RuleHit[] = [];
    for (let g = 0; g < groups.length; g++) {
      const lines = groups[g]!;
      const stock = records[g]!;
      const first = lines[0]!;
      const month = first.serviceDate.slice(0, 7);
      const available = stock.openingQuantity + stock.purchasedQuantity;
      const limit = available + p.tolerance;
      const prior = month === claimMonth ? (history.institutionMonthQuantity.get(first.itemCode) ?? 0) : 0;
      let running = prior;
      let excess = 0;
      let amountFen = 0;
      const violating: ClaimLine[] = [];
      for (const l of lines) {
        const before = running;
        running += l.quantity;
        if (l.quantity <= 0 || running <= limit) continue;
        const over = running - Math.max(before, limit);
        excess += over;
        amountFen += Math.min(l.amountFen, Math.round((over * l.unitPrice) / 1_000_000));
        violating.push(l);
      }
      if (violating.length === 0) continue;
      const name = itemName(first, ref);
      const mine = running - prior;
      hits.push({
        message: {
          zh: `${name} ${month} 进销存不符: 期初 ${decimal4(stock.openingQuantity)} + 购进 ${decimal4(stock.purchasedQuantity)} = ${decimal4(available)}, 本月此前其他结算 ${decimal4(prior)}, 本单 ${decimal4(mine)}, 合计 ${decimal4(running)}, 超出 ${decimal4(excess)}; 超出部分 ${yuan(amountFen)} 元不予支付`,
          en: `${name}, ${month}: stock ${decimal4(stock.openingQuantity)} opening + ${decimal4(stock.purchasedQuantity)} purchased = ${decimal4(available)}; billed earlier in the month ${decimal4(prior)}, this claim ${decimal4(mine)}, total ${decimal4(running)}, ${decimal4(excess)} beyond stock; ${yuan(amountFen)} yuan for the excess not payable`,
        },
        violatingLines: violating.map((l) => l.lineId),
        involvedLines: lines.filter((l) => !violating.includes(l)).map((l) => l.lineId),
        otherClaims: [],
        amountFen,
      });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<StockShortageParams> {
  const drug = 'XC09AAE056A001010100';
  // A pharmacy with 10 boxes for October (4 opening, 6 bought) and 1 for November; 35 yuan a box.
  const ref = reference({
    stock: [
      { institutionId: 'Y7', itemCode: drug, month: '2026-10', stock: { openingQuantity: 40_000, purchasedQuantity: 60_000 } },
      { institutionId: 'Y7', itemCode: drug, month: '2026-11', stock: { openingQuantity: 0, purchasedQuantity: 10_000 } },
    ],
  });
  const sale = (...lines: { at: string; quantity: number }[]) =>
    claim({
      institutionId: 'Y7',
      visitType: 'pharmacy',
      lines: lines.map((l) => ({ itemCode: drug, category: 'drug' as const, unitPrice: 350_000, hospitalItemName: '缬沙坦胶囊', ...l })),
    });
  const soldBefore = (quantity: number) => ({ institutionMonthQuantity: new Map([[drug, quantity]]) });
  return {
    fires: [
      {
        name: 'one box short: 8 sold earlier in the month, 3 now, 10 in stock',
        claim: sale({ at: '2026-10-20 10:00', quantity: 30_000 }),
        history: soldBefore(80_000),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 3500 },
      },
      {
        name: 'the second line of the claim pushes past stock',
        claim: sale({ at: '2026-10-20 10:00', quantity: 20_000 }, { at: '2026-10-20 10:05', quantity: 10_000 }),
        history: soldBefore(80_000),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L2'], amountFen: 3500 },
      },
      {
        name: 'no earlier sales, but 12 boxes in one claim: only the 2 beyond stock count',
        claim: sale({ at: '2026-10-03 09:00', quantity: 120_000 }),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 7000 },
      },
      {
        name: 'a line in the next month against that month’s stock',
        claim: sale({ at: '2026-10-31 20:00', quantity: 10_000 }, { at: '2026-11-01 08:00', quantity: 20_000 }),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L2'], amountFen: 3500 },
      },
    ],
    passes: [
      { name: 'stock exactly used up: 8 earlier and 2 now', claim: sale({ at: '2026-10-20 10:00', quantity: 20_000 }), history: soldBefore(80_000), reference: ref },
      {
        name: 'one box over within a tolerance of one box',
        claim: sale({ at: '2026-10-20 10:00', quantity: 30_000 }),
        history: soldBefore(80_000),
        reference: ref,
        params: { tolerance: 10_000 },
      },
      { name: 'no stock record for the item', claim: sale({ at: '2026-10-20 10:00', quantity: 30_000 }), history: soldBefore(80_000), reference: reference({}) },
      {
        name: 'a return (negative quantity) after the month is used up',
        claim: sale({ at: '2026-10-20 10:00', quantity: -10_000 }),
        history: soldBefore(100_000),
        reference: ref,
      },
    ],
  };
}
