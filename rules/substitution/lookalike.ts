import { z } from 'zod';
import type { ClaimLine } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, hospital, item, reference } from '../fixtures/build.js';
import type { CatalogueItemRef } from '../reference.js';
import { decimal4, yuan } from '../text.js';
import { nameCloseness, score } from './name-similarity.js';
import { range } from '../params.js';

export interface LookalikeParams {
  /** the institution's name must be at least this close to the cheaper item's name (0–1) */
  minCloseness: number;
  /** and closer to it than to the billed item's name by more than this */
  margin: number;
}

/**
 * 串换 by look-alike: the billed catalogue item lists cheaper items it is a dearer look-alike of
 * (restrictions.lookAlikeOf), and the institution's own name for the line is closer to one of
 * those than to the billed item (character-bigram Dice on the full names, dosage form and the
 * catalogue's bracketed qualifier kept: see name-similarity.ts). The cheaper item's price is its
 * ceiling for the institution's level on the service date (pharmacies at the primary ceiling, as
 * PRICE-ABOVE-CEILING does); the amount is (billed unit price − that price) × quantity, never more
 * than the line. Where the cheaper item has no ceiling for the level, or the line is not dearer,
 * nothing is judged: the rule only speaks when it can say how much. A suspicion (high): the
 * institution's own record names the cheaper item, but a name is not a dispensing record.
 */
export const lookalike: Rule<LookalikeParams> = {
  id: 'SUB-LOOKALIKE',
  version: 1,
  family: 'substitution',
  severity: 'high',
  status: 'active',
  description: {
    zh: '串换 (高套相似项目): 以较贵的相似项目收费, 而机构院内名称更接近目录所列的较便宜项目; 涉及金额为差价乘以数量',
    en: 'Substitution by look-alike: a dearer look-alike billed while the institution’s own name matches the cheaper catalogue item better; the amount is the price difference times the quantity',
  },
  effectiveFrom: '2000-01-01',
  defaults: { minCloseness: 0.5, margin: 0 },
  paramSchema: z
    .object({
      minCloseness: range({ min: 0, max: 1 }),
      // two closenesses (0 to 1) differ by at most 1
      margin: range({ min: 0, max: 1 }),
    })
    .strict(),
  evaluate({ claim: c, reference: ref, params: p, facts }) {
    const groups = new Map<string, { billed: CatalogueItemRef; cheaper: CatalogueItemRef; price: number; closeBilled: number; closeCheaper: number; lines: ClaimLine[]; amountFen: number }>();
    for (let i = 0; i < c.lines.length; i++) {
      const l = c.lines[i]!;
      const billed = facts.items[i];
      if (!l.hospitalItemName || !billed?.restrictions.lookAlikeOf?.length) continue;
      const inst = facts.institution(l.serviceDate);
      if (!inst) continue;
      const level = inst.level === 'none' ? 'primary' : inst.level;
      const closeBilled = nameCloseness(l.hospitalItemName, billed.name) ?? 0;
      let best: { cheaper: CatalogueItemRef; price: number; close: number } | undefined;
      for (const code of billed.restrictions.lookAlikeOf) {
        const cheaper = ref.item(code, l.serviceDate);
        const price = cheaper?.priceCeiling[level];
        const close = cheaper ? nameCloseness(l.hospitalItemName, cheaper.name) : undefined;
        if (!cheaper || price === undefined || close === undefined || l.unitPrice <= price) continue;
        if (close < p.minCloseness || close - closeBilled <= p.margin) continue;
        if (!best || close > best.close || (close === best.close && price < best.price)) best = { cheaper, price, close };
      }
      if (!best) continue;
      const amountFen = Math.min(l.amountFen, Math.round(((l.unitPrice - best.price) * l.quantity) / 1_000_000));
      const key = `${l.itemCode}|${l.hospitalItemName}|${best.cheaper.itemCode}|${best.price}`;
      const g = groups.get(key) ?? { billed, cheaper: best.cheaper, price: best.price, closeBilled, closeCheaper: best.close, lines: [], amountFen: 0 };
      g.lines.push(l);
      g.amountFen += amountFen;
      groups.set(key, g);
    }
    const hits: RuleHit[] = [];
    for (const g of groups.values()) {
      const first = g.lines[0]!;
      const quantity = g.lines.reduce((s, l) => s + l.quantity, 0);
      hits.push({
        message: {
          zh: `高套相似项目: 院内项目「${first.hospitalItemName}」按 ${g.billed.itemCode}「${g.billed.name}」收费 (单价 ${decimal4(first.unitPrice)} 元), 但名称更接近较便宜的 ${g.cheaper.itemCode}「${g.cheaper.name}」(限价 ${decimal4(g.price)} 元; 相似度 ${score(g.closeCheaper)} 对 ${score(g.closeBilled)}); 数量 ${decimal4(quantity)}, 差价 ${yuan(g.amountFen)} 元`,
          en: `Dearer look-alike: the institution’s item “${first.hospitalItemName}” billed as ${g.billed.itemCode} “${g.billed.name}” at ${decimal4(first.unitPrice)} yuan, but its name matches the cheaper ${g.cheaper.itemCode} “${g.cheaper.name}” (ceiling ${decimal4(g.price)} yuan) better: ${score(g.closeCheaper)} against ${score(g.closeBilled)}; quantity ${decimal4(quantity)}, ${yuan(g.amountFen)} yuan difference`,
        },
        violatingLines: g.lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: [],
        amountFen: g.amountFen,
      });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<LookalikeParams> {
  const tablets = item({ itemCode: 'XA11DBJ038A001010100', name: '甲钴胺片', category: 'drug', priceCeiling: { primary: 6_000, secondary: 6_500, tertiary: 7_000 } });
  const injection = item({
    itemCode: 'XA11DBJ038B002010100',
    name: '甲钴胺注射液',
    category: 'drug',
    priceCeiling: { secondary: 150_000 },
    restrictions: { lookAlikeOf: ['XA11DBJ038A001010100'] },
  });
  const ward = item({ itemCode: '001109000010000', name: '普通病房床位费', category: 'bed', priceCeiling: { secondary: 300_000 } });
  const single = item({ itemCode: '001109000010100', name: '普通病房床位费(单人间)', category: 'bed', priceCeiling: { secondary: 800_000 }, restrictions: { lookAlikeOf: ['001109000010000'] } });
  const ref = reference({ institutions: [hospital()], items: [tablets, injection, ward, single] });
  const billed = (itemCode: string, name: string, unitPrice: number, quantity = 10_000) => claim({ lines: [{ itemCode, hospitalItemName: name, unitPrice, quantity, at: '2026-10-04 09:00' }] });
  return {
    fires: [
      {
        name: 'mecobalamin tablets billed as the injection: (15.00 − 0.65) × 10',
        claim: billed('XA11DBJ038B002010100', '甲钴胺片 0.5mg', 150_000, 100_000),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 14350 },
      },
      {
        name: 'a ward bed billed as a single room: (80 − 30) × 3 days',
        claim: billed('001109000010100', '普通病房床位费', 800_000, 30_000),
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 15000 },
      },
      {
        name: 'one fen dearer than the cheaper item’s ceiling',
        claim: billed('XA11DBJ038B002010100', '甲钴胺片', 6_600),
        reference: ref,
        expect: { hits: 1, amountFen: 1 },
      },
    ],
    passes: [
      { name: 'the injection named as the injection', claim: billed('XA11DBJ038B002010100', '甲钴胺注射液', 150_000), reference: ref },
      { name: 'the single room named as a single room', claim: billed('001109000010100', '单人间床位费', 800_000), reference: ref },
      { name: 'billed at the cheaper item’s ceiling: no difference', claim: billed('XA11DBJ038B002010100', '甲钴胺片', 6_500), reference: ref },
      { name: 'closer to the cheaper item, but not by more than a margin of 0.6', claim: billed('XA11DBJ038B002010100', '甲钴胺片', 150_000), reference: ref, params: { margin: 0.6 } },
      { name: 'a name close to neither', claim: billed('XA11DBJ038B002010100', '维生素B12注射液', 150_000), reference: ref },
      { name: 'the billed item lists no look-alikes', claim: billed('XA11DBJ038A001010100', '甲钴胺注射液', 6_000), reference: ref },
    ],
  };
}
