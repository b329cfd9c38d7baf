import { z } from 'zod';
import type { LineCategory } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, hospital, reference } from '../fixtures/build.js';
import { list, range } from '../params.js';
import { decimal4, itemName, yuan } from '../text.js';
import { NONE } from '../facts.js';

export interface ZeroMarkupParams {
  /** the categories sold at purchase price where zero markup applies */
  categories: ('drug' | 'consumable')[];
  /** a unit price this much above the purchase price (yuan) still passes (rounding) */
  toleranceYuan: number;
}

/**
 * Zero markup (药品零差率): at an institution where it applies (the institution's `zeroMarkup`
 * flag: public institutions sell drugs at the price they paid), a drug billed at a unit price
 * above the purchase price on the institution's stock record of the month. The difference times
 * the quantity is not payable (a definite violation). Items without a reported purchase price are
 * not judged.
 */
export const zeroMarkup: Rule<ZeroMarkupParams> = {
  id: 'PRICE-ABOVE-PURCHASE',
  version: 1,
  family: 'zero-markup',
  severity: 'violation',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '执行药品零差率的机构, 药品收费单价高于当月进货价: 差价不予支付',
    en: 'A drug billed above its purchase price at an institution where zero markup applies: the difference is not payable',
  },
  effectiveFrom: '2000-01-01',
  defaults: { categories: ['drug'], toleranceYuan: 0 },
  paramSchema: z
    .object({
      categories: list(z.enum(['drug', 'consumable'], { error: 'must be drug or consumable' }), 2),
      toleranceYuan: range({ min: 0, max: 100 }),
    })
    .strict(),
  evaluate({ claim: c, reference: ref, params: p }) {
    const judged = p.categories as readonly LineCategory[];
    let first: string | undefined;
    for (const l of c.lines) if (judged.includes(l.category)) first ??= l.serviceDate;
    if (first === undefined) return NONE;
    const inst = ref.institution(c.institutionId, first);
    if (!inst?.zeroMarkup) return NONE;
    const tolerance = Math.round(p.toleranceYuan * 10_000);
    const hits: RuleHit[] = [];
    for (const l of c.lines) {
      if (!judged.includes(l.category)) continue;
      const month = l.serviceDate.slice(0, 7);
      const bought = ref.purchasePrice(c.institutionId, l.itemCode, month);
      if (bought === undefined || l.unitPrice <= bought + tolerance) continue;
      const excessFen = Math.min(l.amountFen, Math.round(((l.unitPrice - bought) * l.quantity) / 1_000_000));
      if (excessFen <= 0) continue;
      const name = itemName(l, ref);
      hits.push({
        message: {
          zh: `${name} 单价 ${decimal4(l.unitPrice)} 元, 高于 ${month} 进货价 ${decimal4(bought)} 元 (零差率), 数量 ${decimal4(l.quantity)}, 加价 ${yuan(excessFen)} 元不予支付`,
          en: `${name} priced ${decimal4(l.unitPrice)} yuan, above its ${month} purchase price of ${decimal4(bought)} yuan (zero markup); quantity ${decimal4(l.quantity)}, ${yuan(excessFen)} yuan of markup not payable`,
        },
        violatingLines: [l.lineId],
        involvedLines: [],
        otherClaims: [],
        amountFen: excessFen,
      });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<ZeroMarkupParams> {
  const ref = (zero: boolean) =>
    reference({
      institutions: [hospital({ zeroMarkup: zero })],
      stock: [
        { institutionId: 'H1', itemCode: 'NIFEDIPINE', month: '2026-10', stock: { openingQuantity: 1_000_000, purchasedQuantity: 0, purchasePrice: 150_000 } },
        { institutionId: 'H1', itemCode: 'STENT', month: '2026-10', stock: { openingQuantity: 100_000, purchasedQuantity: 0, purchasePrice: 5_000_000 } },
        { institutionId: 'H1', itemCode: 'NOPRICE', month: '2026-10', stock: { openingQuantity: 100_000, purchasedQuantity: 0 } },
      ],
    });
  const sale = (itemCode: string, unitPrice: number, category: 'drug' | 'consumable' = 'drug') =>
    claim({
      lines: [
        { itemCode: 'V', at: '2026-10-04 09:00' },
        { itemCode, at: '2026-10-04 09:20', category, unitPrice, quantity: 20_000, amountFen: Math.round((unitPrice * 2) / 100) },
      ],
    });
  return {
    fires: [
      {
        name: 'two boxes of nifedipine at 18 yuan, bought at 15 (6 yuan of markup)',
        claim: sale('NIFEDIPINE', 180_000),
        reference: ref(true),
        expect: { hits: 1, violatingLines: ['L2'], amountFen: 600 },
      },
      { name: 'one fen above the purchase price', claim: sale('NIFEDIPINE', 150_100), reference: ref(true), expect: { amountFen: 2 } },
      {
        name: 'a consumable above its purchase price, consumables judged by the deployment',
        claim: sale('STENT', 5_500_000, 'consumable'),
        reference: ref(true),
        params: { categories: ['drug', 'consumable'] },
        expect: { amountFen: 10_000 },
      },
    ],
    passes: [
      { name: 'nifedipine at its purchase price', claim: sale('NIFEDIPINE', 150_000), reference: ref(true) },
      { name: 'nifedipine above its purchase price where zero markup does not apply (a private clinic)', claim: sale('NIFEDIPINE', 180_000), reference: ref(false) },
      { name: 'a drug with no purchase price on its stock record', claim: sale('NOPRICE', 180_000), reference: ref(true) },
      { name: 'a consumable above its purchase price (drugs only by default)', claim: sale('STENT', 5_500_000, 'consumable'), reference: ref(true) },
      { name: 'within the tolerance the deployment set', claim: sale('NIFEDIPINE', 150_400), reference: ref(true), params: { toleranceYuan: 0.05 } },
    ],
  };
}
