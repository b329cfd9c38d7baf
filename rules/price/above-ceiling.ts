import type { Rule, RuleHit } from '../engine.js';
import { claim, hospital, item, reference } from '../fixtures/build.js';
import { decimal4, itemName, yuan } from '../text.js';
import { noParams } from '../params.js';

const LEVEL_ZH = { primary: '一级', secondary: '二级', tertiary: '三级' } as const;

/**
 * Unit price above the catalogue ceiling for the institution's level on the service date. The
 * amount at issue is the excess times the quantity. Pharmacies (no level) are held to the
 * primary ceiling.
 */
export const priceAboveCeiling: Rule = {
  id: 'PRICE-ABOVE-CEILING',
  version: 1,
  family: 'price',
  severity: 'violation',
  status: 'active',
  description: { zh: '收费单价超过本级别机构的医保限价', en: 'Unit price above the ceiling for the institution’s level' },
  effectiveFrom: '2000-01-01',
  defaults: {},
  paramSchema: noParams(),
  evaluate({ claim: c, reference: ref, facts }) {
    const hits: RuleHit[] = [];
    const items = facts.items;
    for (let i = 0; i < c.lines.length; i++) {
      const l = c.lines[i]!;
      const cat = items[i];
      if (!cat) continue;
      const inst = facts.institution(l.serviceDate);
      if (!inst) continue;
      const level = inst.level === 'none' ? 'primary' : inst.level;
      const ceiling = cat.priceCeiling[level];
      if (ceiling === undefined || l.unitPrice <= ceiling) continue;
      const excessFen = Math.min(l.amountFen, Math.round(((l.unitPrice - ceiling) * l.quantity) / 1_000_000));
      const name = itemName(l, ref);
      hits.push({
        message: {
          zh: `${name} 单价 ${decimal4(l.unitPrice)} 元, 超过${LEVEL_ZH[level]}机构限价 ${decimal4(ceiling)} 元, 数量 ${decimal4(l.quantity)}, 超收 ${yuan(excessFen)} 元`,
          en: `${name} priced ${decimal4(l.unitPrice)} yuan, above the ${level} ceiling of ${decimal4(ceiling)} yuan; quantity ${decimal4(l.quantity)}, ${yuan(excessFen)} yuan over`,
        },
        violatingLines: [l.lineId],
        involvedLines: [],
        otherClaims: [],
        amountFen: excessFen,
      });
    }
    return hits;
  },
  fixtures: () => ({
    fires: [
      {
        name: 'one fen above the secondary ceiling, quantity 3',
        claim: claim({ lines: [{ itemCode: '120100001', at: '2026-10-04 09:00', unitPrice: 450_100, quantity: 30_000 }] }),
        reference: reference({ institutions: [hospital()], items: [item({ itemCode: '120100001', priceCeiling: { secondary: 450_000 } })] }),
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 3 },
      },
    ],
    passes: [
      {
        name: 'exactly at the ceiling',
        claim: claim({ lines: [{ itemCode: '120100001', at: '2026-10-04 09:00', unitPrice: 450_000, quantity: 30_000 }] }),
        reference: reference({ institutions: [hospital()], items: [item({ itemCode: '120100001', priceCeiling: { secondary: 450_000 } })] }),
      },
      {
        name: 'above another level’s ceiling only',
        claim: claim({ lines: [{ itemCode: '120100001', at: '2026-10-04 09:00', unitPrice: 500_000 }] }),
        reference: reference({ institutions: [hospital({ level: 'tertiary' })], items: [item({ itemCode: '120100001', priceCeiling: { secondary: 450_000, tertiary: 550_000 } })] }),
      },
    ],
  }),
};
