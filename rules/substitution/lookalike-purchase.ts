import { z } from 'zod';
import type { ClaimLine } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { range } from '../params.js';
import { NONE } from '../facts.js';
import type { StockRef } from '../reference.js';
import { decimal4, itemName, yuan } from '../text.js';

export interface LookalikePurchaseParams {
  /** quantity (×10^4) the dearer item may be billed beyond its stock before it counts, as SUB-STOCK-SHORTAGE's tolerance */
  tolerance: number;
  /** the cheap item's unbilled stock must cover at least this share of the dearer item's shortfall */
  minCover: number;
}

const available = (s: StockRef) => s.openingQuantity + s.purchasedQuantity;

/**
 * 串换 by purchase: the institution bills a dearer item (one whose catalogue record lists cheaper
 * look-alikes, restrictions.lookAlikeOf) beyond what its ledger shows of it, while it bought the
 * cheap look-alike far beyond what it bills of that: the dearer item was sold out of the cheap
 * one's boxes. In the claim's month: the dearer item's billed quantity (earlier claims of the
 * month plus this one's lines) beyond its opening stock plus purchases, none when it has no stock
 * record at all; and the cheap item's stock (opening plus purchases) beyond its billed quantity
 * by at least `minCover` × that shortfall. The lines past the dearer item's stock are a suspicion
 * (high); the amount is the excess quantity times the difference between the line's unit price
 * and the cheap item's purchase price (else its ceiling for the institution's level).
 *
 * An item with no stock record at all is judged only here, and only when its cheap look-alike has
 * one: a ledger that never shows the dearer item bought while it shows its look-alike bought
 * beyond its sales. Elsewhere a missing record says nothing (many institutions report the ledger
 * of a few goods only), so SUB-STOCK-SHORTAGE keeps skipping it.
 */
export const lookalikePurchase: Rule<LookalikePurchaseParams> = {
  id: 'SUB-LOOKALIKE-PURCHASE',
  version: 1,
  family: 'substitution',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '串换 (购销不符): 高价项目结算量超过其进货 (或无进货记录), 而其低价近似品进货远超结算量',
    en: 'Substitution by purchase: a dearer item billed beyond its stock (or with no stock record) while its cheap look-alike is bought far beyond what is billed',
  },
  effectiveFrom: '2000-01-01',
  defaults: { tolerance: 0, minCover: 1 },
  paramSchema: z.object({ tolerance: range({ min: 0, max: 10_000_000, int: true }), minCover: range({ min: 0, max: 100 }) }).strict(),
  evaluate({ claim: c, history, reference: ref, params: p, facts }) {
    if (!facts.restricts('lookAlikeOf')) return NONE;
    let groups: Map<string, ClaimLine[]> | undefined;
    const items = facts.items;
    for (let i = 0; i < c.lines.length; i++) {
      const l = c.lines[i]!;
      // only goods have stock records (进销存): services and beds are never judged here
      if ((l.category !== 'drug' && l.category !== 'consumable') || l.quantity <= 0) continue;
      const cheap = items[i]?.restrictions.lookAlikeOf;
      if (!cheap || cheap.length === 0 || l.serviceDate.slice(0, 7) !== facts.month) continue;
      groups ??= new Map();
      const g = groups.get(l.itemCode);
      if (g) g.push(l);
      else groups.set(l.itemCode, [l]);
    }
    if (!groups) return NONE;
    const month = facts.month;
    const hits: RuleHit[] = [];
    const thisClaim = (code: string) => c.lines.reduce((s, l) => (l.itemCode === code && l.serviceDate.slice(0, 7) === month ? s + l.quantity : s), 0);
    for (const [code, lines] of groups) {
      const first = lines[0]!;
      const cheapCodes = ref.item(code, first.serviceDate)?.restrictions.lookAlikeOf ?? [];
      // the cheap look-alike with the most stock beyond its sales
      let best: { code: string; stock: StockRef; billed: number; surplus: number } | undefined;
      for (const k of cheapCodes) {
        const stock = ref.stock(c.institutionId, k, month);
        if (!stock) continue;
        const billed = (history.institutionMonthQuantity.get(k) ?? 0) + thisClaim(k);
        const surplus = available(stock) - billed;
        if (!best || surplus > best.surplus) best = { code: k, stock, billed, surplus };
      }
      if (!best || best.surplus <= 0) continue;
      const own = ref.stock(c.institutionId, code, month);
      const have = own ? available(own) : 0;
      const prior = own ? (history.institutionMonthQuantity.get(code) ?? 0) : 0;
      const limit = have + p.tolerance;
      let running = prior;
      let excess = 0;
      const violating: { line: ClaimLine; over: number }[] = [];
      for (const l of [...lines].sort((a, b) => a.serviceAt - b.serviceAt || a.lineNo - b.lineNo)) {
        const before = running;
        running += l.quantity;
        if (running <= limit) continue;
        const over = running - Math.max(before, limit);
        excess += over;
        violating.push({ line: l, over });
      }
      if (excess <= 0 || best.surplus < p.minCover * excess) continue;
      const inst = ref.institution(c.institutionId, first.serviceDate);
      const level = !inst || inst.level === 'none' || inst.type === 'pharmacy' ? 'primary' : inst.level;
      const cheapItem = ref.item(best.code, first.serviceDate);
      const cheapPrice = best.stock.purchasePrice ?? cheapItem?.priceCeiling[level] ?? 0;
      let amountFen = 0;
      for (const { line, over } of violating) amountFen += Math.min(line.amountFen, Math.max(0, Math.round((over * (line.unitPrice - cheapPrice)) / 1_000_000)));
      const name = itemName(first, ref);
      const cheapName = cheapItem?.name ?? best.code;
      const ownText = own
        ? {
            zh: `库存 ${decimal4(have)} (期初 ${decimal4(own.openingQuantity)} + 购进 ${decimal4(own.purchasedQuantity)})`,
            en: `stock ${decimal4(have)} (${decimal4(own.openingQuantity)} opening + ${decimal4(own.purchasedQuantity)} purchased)`,
          }
        : { zh: '无进销存记录 (库存 0)', en: 'no stock record (stock 0)' };
      hits.push({
        message: {
          zh: `${name} ${month} 结算 ${decimal4(running)} (本月此前 ${decimal4(prior)} + 本单 ${decimal4(running - prior)}), ${ownText.zh}, 超出 ${decimal4(excess)}; 其低价近似品 ${cheapName} 库存 ${decimal4(available(best.stock))} 仅结算 ${decimal4(best.billed)}, 多出 ${decimal4(best.surplus)}: 疑以低价品串换, 差价 ${yuan(amountFen)} 元`,
          en: `${name}, ${month}: billed ${decimal4(running)} (${decimal4(prior)} earlier in the month + ${decimal4(running - prior)} on this claim) against ${ownText.en}, ${decimal4(excess)} beyond; its cheap look-alike ${cheapName} has ${decimal4(available(best.stock))} in stock and only ${decimal4(best.billed)} billed, ${decimal4(best.surplus)} unaccounted for: likely sold as the dearer item, ${yuan(amountFen)} yuan of difference`,
        },
        violatingLines: violating.map((v) => v.line.lineId),
        involvedLines: lines.filter((l) => !violating.some((v) => v.line === l)).map((l) => l.lineId),
        otherClaims: [],
        amountFen,
      });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<LookalikePurchaseParams> {
  const cheap = 'OMEPRAZOLE';
  const dear = 'ESOMEPRAZOLE';
  const items = [
    item({ itemCode: cheap, name: '奥美拉唑肠溶胶囊', category: 'drug', priceCeiling: { primary: 72_000 } }),
    item({ itemCode: dear, name: '艾司奥美拉唑镁肠溶片', category: 'drug', restrictions: { lookAlikeOf: [cheap] } }),
  ];
  // October: 100 boxes of the cheap item bought (20 opening + 80), at 6 yuan; the dearer item 10
  const ledger = (dearStock?: StockRef, cheapPrice: number | undefined = 60_000) =>
    reference({
      items,
      stock: [
        { institutionId: 'Y1', itemCode: cheap, month: '2026-10', stock: { openingQuantity: 200_000, purchasedQuantity: 800_000, ...(cheapPrice ? { purchasePrice: cheapPrice } : {}) } },
        ...(dearStock ? [{ institutionId: 'Y1', itemCode: dear, month: '2026-10', stock: dearStock }] : []),
      ],
    });
  const sale = (quantity: number) => claim({ institutionId: 'Y1', visitType: 'pharmacy', lines: [{ itemCode: dear, at: '2026-10-20 10:00', category: 'drug', quantity, unitPrice: 560_000 }] });
  const billed = (dearQ: number, cheapQ: number) => ({ institutionMonthQuantity: new Map([...(dearQ ? [[dear, dearQ] as [string, number]] : []), [cheap, cheapQ]]) });
  return {
    fires: [
      {
        name: 'two boxes of the dearer item with no stock record, 100 cheap boxes bought and 30 billed',
        claim: sale(20_000),
        history: billed(0, 300_000),
        reference: ledger(),
        // 2 × (56 − 6) yuan
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 10_000 },
      },
      {
        name: 'the dearer item past its 10 boxes (9 billed, 3 now), the cheap one bought far beyond its sales',
        claim: sale(30_000),
        history: billed(90_000, 300_000),
        reference: ledger({ openingQuantity: 0, purchasedQuantity: 100_000 }),
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 10_000 },
      },
      {
        name: 'no purchase price: the cheap item’s ceiling (7.20 yuan) is its price',
        claim: sale(10_000),
        history: billed(0, 300_000),
        reference: ledger(undefined, 0),
        expect: { amountFen: 4880 },
      },
    ],
    passes: [
      { name: 'the dearer item within its stock', claim: sale(10_000), history: billed(90_000, 300_000), reference: ledger({ openingQuantity: 0, purchasedQuantity: 100_000 }) },
      { name: 'the cheap item’s purchases all billed: nothing to substitute from', claim: sale(20_000), history: billed(0, 1_000_000), reference: ledger() },
      { name: 'the cheap item’s surplus (1 box) below the shortfall (2 boxes)', claim: sale(20_000), history: billed(0, 990_000), reference: ledger() },
      { name: 'no stock record of either item', claim: sale(20_000), reference: reference({ items }) },
    ],
  };
}
