import { z } from 'zod';
import type { ClaimLine } from '../claim.js';
import type { Rule, RuleFixtures } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { code, list, range } from '../params.js';
import { yuan } from '../text.js';

export interface UnlistedCodeParams {
  /**
   * fewer catalogue items than this and the catalogue is taken as not (yet) loaded: a fund setting
   * up, or part way through an import, would otherwise see every line of every claim withheld. A
   * fund's catalogue holds thousands of items; the simulator's 67.
   */
  minCatalogueItems: number;
  /** code prefixes the fund pays outside its catalogue (local supplementary codes): never judged */
  exemptPrefixes: string[];
}

/**
 * A fee line billed under a code the fund's catalogue (with the national lists merged in) does not
 * hold on the line's service date: not a payable item, so the line is not payable (a definite
 * violation). Codes made up or mistyped to slip a non-covered service or good past the lists
 * (串换 into a code nobody checks), and codes dropped from the catalogue before the service.
 */
export const unlistedCode: Rule<UnlistedCodeParams> = {
  id: 'CODE-UNLISTED',
  version: 1,
  family: 'unlisted-code',
  severity: 'violation',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '收费项目编码不在服务日期有效的医保目录内: 非医保支付项目, 不予支付',
    en: 'A fee line under a code the fund’s catalogue does not hold on the service date: not payable',
  },
  effectiveFrom: '2000-01-01',
  defaults: { minCatalogueItems: 50, exemptPrefixes: [] },
  paramSchema: z.object({ minCatalogueItems: range({ min: 1, max: 10_000_000, int: true }), exemptPrefixes: list(code(50), 100) }).strict(),
  evaluate({ claim: c, reference: ref, params: p, facts }) {
    const size = ref.catalogueSize();
    if (size < p.minCatalogueItems) return [];
    let unlisted: ClaimLine[] | undefined;
    const items = facts.items;
    for (let i = 0; i < c.lines.length; i++) {
      const l = c.lines[i]!;
      if (items[i]) continue;
      if (p.exemptPrefixes.length > 0 && p.exemptPrefixes.some((x) => l.itemCode.startsWith(x))) continue;
      (unlisted ??= []).push(l);
    }
    if (!unlisted) return [];
    const amountFen = unlisted.reduce((s, l) => s + l.amountFen, 0);
    const codes = [...new Set(unlisted.map((l) => l.itemCode))];
    const shown = codes.slice(0, 5).map((k) => {
      const l = unlisted!.find((x) => x.itemCode === k)!;
      return l.hospitalItemName ? `${k} (${l.hospitalItemName})` : k;
    });
    const more = codes.length > 5 ? ` …(+${codes.length - 5})` : '';
    return [
      {
        message: {
          zh: `编码 ${shown.join(', ')}${more} 不在服务日期 ${unlisted[0]!.serviceDate} 有效的医保目录 (${size} 项) 内; ${unlisted.length} 行 ${yuan(amountFen)} 元不予支付`,
          en: `Code ${shown.join(', ')}${more} is not in the fund's catalogue (${size} items) valid on ${unlisted[0]!.serviceDate}; ${unlisted.length} ${unlisted.length === 1 ? 'line' : 'lines'}, ${yuan(amountFen)} yuan not payable`,
        },
        violatingLines: unlisted.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: [],
        amountFen,
      },
    ];
  },
  fixtures,
};

function fixtures(): RuleFixtures<UnlistedCodeParams> {
  const ref = reference({ items: [item({ itemCode: '110200005', name: '门诊诊查费' }), item({ itemCode: '250101015', name: '血常规', category: 'lab' })] });
  const billed = (...codes: string[]) => claim({ lines: codes.map((itemCode, i) => ({ itemCode, at: `2026-10-04 09:${String(10 + i).padStart(2, '0')}`, amountFen: 2000 + i })) });
  return {
    fires: [
      {
        name: 'a made-up code beside listed ones',
        claim: billed('110200005', 'ZZ999999', '250101015'),
        reference: ref,
        params: { minCatalogueItems: 2 },
        expect: { hits: 1, violatingLines: ['L2'], amountFen: 2001 },
      },
      {
        name: 'two lines under two unlisted codes',
        claim: billed('X1', '110200005', 'X2'),
        reference: ref,
        params: { minCatalogueItems: 2 },
        expect: { hits: 1, violatingLines: ['L1', 'L3'], amountFen: 4002 },
      },
    ],
    passes: [
      { name: 'every code listed', claim: billed('110200005', '250101015'), reference: ref, params: { minCatalogueItems: 2 } },
      { name: 'no catalogue loaded: nothing to judge against', claim: billed('ZZ999999'), reference: reference({}), params: { minCatalogueItems: 1 } },
      { name: 'a catalogue of 2 items, below the 50 taken as loaded', claim: billed('ZZ999999'), reference: ref },
      { name: 'a local code the fund exempts', claim: billed('110200005', 'LOCAL-01'), reference: ref, params: { minCatalogueItems: 2, exemptPrefixes: ['LOCAL-'] } },
    ],
  };
}
