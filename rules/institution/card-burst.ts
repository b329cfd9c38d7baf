import { z } from 'zod';
import type { Claim, LineCategory } from '../claim.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, reference } from '../fixtures/build.js';
import { list, range } from '../params.js';
import { cstTime, yuan } from '../text.js';
import { asWindowClaim, emptyWindow, windowRef, WINDOW, type WindowClaim } from './window.js';

export interface CardBurstParams {
  /** distinct persons (this claim's included) with a near-identical basket that make a burst */
  minPersons: number;
  /** Jaccard similarity of the baskets' item-code sets at which two baskets are near-identical */
  minSimilarity: number;
  /** minutes either side of this claim's start */
  windowMinutes: number;
  /**
   * baskets with fewer distinct items are not judged: one common drug bought by many is no burst,
   * nor is a common pair prescribed together (an antihypertensive and aspirin), which five patients
   * of one diagnosis at a busy hospital desk get within minutes
   */
  minItems: number;
  /**
   * the line categories a basket is made of: the goods a stack of cards is swiped for; a visit's
   * consultation fee, in every outpatient basket, would make five patients of one diagnosis at a
   * busy desk (a fee and the one drug for it) look like one basket
   */
  categories: LineCategory[];
}

/**
 * Jaccard similarity of a basket's code set and another claim's lines' codes of the basket's
 * categories (`inBasket`), without building a set (the rule runs on every claim).
 */
function jaccard(a: ReadonlySet<string>, lines: readonly (readonly [string, string])[], inBasket: (code: string) => boolean): number {
  let both = 0;
  let size = 0;
  for (let i = 0; i < lines.length; i++) {
    const code = (lines[i] as readonly [string, string])[1];
    let seen = false;
    for (let j = 0; j < i && !seen; j++) seen = (lines[j] as readonly [string, string])[1] === code;
    if (seen) continue;
    if (a.has(code)) both++;
    else if (!inBasket(code)) continue;
    size++;
  }
  return both / (a.size + size - both);
}

/**
 * Card theft and consecutive swipes (盗刷/连续刷卡): at one institution, many different persons'
 * cards settled within minutes for near-identical baskets, as when a pharmacy or clinic swipes a
 * stack of collected cards for the same goods. An outpatient or pharmacy claim whose basket (its
 * set of item codes, at least `minItems`) matches, at `minSimilarity` or more, those of claims of
 * `minPersons` − 1 other persons started within `windowMinutes` of it is sent to review (high),
 * whole. The claim that completes a burst also files the finding on each earlier claim of it
 * (retrospectively, one finding each); the claims after it carry their own. A queue at opening
 * time (many persons, different baskets) and a family at one clinic (two or three persons) do not
 * make a burst.
 */
export const cardBurst: Rule<CardBurstParams> = {
  id: 'CARD-BURST',
  version: 3,
  family: 'card-burst',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '同一机构数分钟内多名不同参保人结算几乎相同的药品/项目组合: 疑似盗刷或连续刷卡, 转人工审核',
    en: "Within minutes at one institution, many different persons' cards settled for near-identical baskets: possibly card theft or consecutive swipes, for review",
  },
  effectiveFrom: '2000-01-01',
  defaults: { minPersons: 5, minSimilarity: 0.9, windowMinutes: 10, minItems: 3, categories: ['drug', 'consumable'] },
  paramSchema: z
    .object({
      minPersons: range({ min: 3, max: 50, int: true }),
      minSimilarity: range({ min: 0.5, max: 1 }),
      windowMinutes: range({ min: 1, max: WINDOW.nearbyMinutes, int: true }),
      minItems: range({ min: 1, max: 20, int: true }),
      categories: list(z.enum(['drug', 'consumable', 'service', 'bed', 'nursing', 'exam', 'lab', 'operation']), 8).refine((c) => c.length > 0, 'must name a category'),
    })
    .strict(),
  evaluate({ claim: c, history, reference: ref, params: p }) {
    if (c.visitType === 'inpatient') return [];
    const nearby = history.institution?.nearby ?? [];
    if (nearby.length < p.minPersons - 1) return [];
    const mine = new Set<string>();
    for (const l of c.lines) if (p.categories.includes(l.category)) mine.add(l.itemCode);
    if (mine.size < p.minItems) return [];
    // another claim's lines carry only their codes: a code outside this basket counts against the
    // similarity only if the catalogue puts it in the basket's categories (an unknown code counts)
    const day = c.lines[0]?.serviceDate ?? '';
    const inBasket = (code: string) => {
      const item = ref.item(code, day);
      return item === undefined || p.categories.includes(item.category);
    };
    const span = p.windowMinutes * 60_000;
    const alike: WindowClaim[] = [];
    const persons = new Set<string>([c.personHash]);
    for (const o of nearby) {
      if (o.visitType === 'inpatient' || Math.abs(o.startedAt - c.startedAt) > span) continue;
      if (jaccard(mine, o.lines, inBasket) < p.minSimilarity) continue;
      alike.push(o);
      persons.add(o.personHash);
    }
    if (persons.size < p.minPersons) return [];
    const first = Math.min(c.startedAt, ...alike.map((o) => o.startedAt));
    const last = Math.max(c.startedAt, ...alike.map((o) => o.startedAt));
    const total = c.lines.reduce((s, l) => s + l.amountFen, 0);
    const nos = alike.map((o) => o.claimNo).join(', ');
    const what = {
      zh: `${cstTime(first)} 至 ${cstTime(last)} (不超过 ±${p.windowMinutes} 分钟) 本机构 ${persons.size} 名不同参保人 (不少于 ${p.minPersons} 名) 结算相同的 ${mine.size} 种项目 (相似度不低于 ${p.minSimilarity}), 其他结算单 ${nos}`,
      en: `From ${cstTime(first)} to ${cstTime(last)} (within ±${p.windowMinutes} minutes) ${persons.size} different persons (at least ${p.minPersons}) settled the same ${mine.size} items here (similarity at least ${p.minSimilarity}), other claims ${nos}`,
    };
    const hits: RuleHit[] = [
      {
        message: { zh: `${what.zh}; 本单全部 ${c.lines.length} 行 ${yuan(total)} 元转人工审核`, en: `${what.en}; all ${c.lines.length} lines of this claim, ${yuan(total)} yuan, for review` },
        violatingLines: c.lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: alike.map((o) => windowRef(c.institutionId, o, false)),
        amountFen: total,
      },
    ];
    // the claim completing the burst files it on the earlier claims of the burst too, once (one still
    // being screened beside this one is written before this claim: src/claims/screen-claim.ts)
    if (persons.size === p.minPersons) {
      for (const o of alike)
        hits.push({
          message: { zh: `${what.zh}; 结算单 ${o.claimNo} 转人工审核 (追溯)`, en: `${what.en}; claim ${o.claimNo} for review (filed retrospectively)` },
          violatingLines: [],
          involvedLines: [],
          otherClaims: [windowRef(c.institutionId, o, true)],
          amountFen: 0,
        });
    }
    return hits;
  },
  fixtures,
};

function fixtures(): RuleFixtures<CardBurstParams> {
  const basket = (no: number, minute: number, codes: string[], person = `P${no}`): Claim =>
    claim({
      claimNo: `C${no}`,
      personHash: person,
      visitType: 'pharmacy',
      visit: `2026-10-04 09:${String(minute).padStart(2, '0')}`,
      lines: codes.map((itemCode) => ({ itemCode, at: `2026-10-04 09:${String(minute).padStart(2, '0')}`, category: 'drug' as const })),
    });
  const same = ['X1', 'X2', 'X3'];
  // an outpatient desk: the consultation fee (a service) and the drugs prescribed
  const visit = (no: number, minute: number, drugs: string[]): Claim =>
    claim({
      claimNo: `V${no}`,
      personHash: `Q${no}`,
      visit: `2026-10-04 10:${String(minute).padStart(2, '0')}`,
      lines: [
        { itemCode: 'FEE', at: `2026-10-04 10:${String(minute).padStart(2, '0')}`, category: 'service' as const },
        ...drugs.map((itemCode) => ({ itemCode, at: `2026-10-04 10:${String(minute).padStart(2, '0')}`, category: 'drug' as const })),
      ],
    });
  const item = (itemCode: string, category: 'service' | 'drug') => ({ itemCode, name: itemCode, category, unit: '次', priceCeiling: {}, restrictions: {} });
  const catalogue = reference({ items: [item('FEE', 'service'), item('X1', 'drug'), item('X2', 'drug'), item('X3', 'drug')] });
  const window = (claims: Claim[]) => ({ institution: { ...emptyWindow, nearby: claims.map(asWindowClaim) } });
  const burst = [1, 2, 3, 4].map((n) => basket(n, 10 + n, same));
  return {
    fires: [
      {
        name: 'the fifth card in six minutes for the same three drugs: this claim, and the four before it retrospectively',
        claim: basket(5, 16, same),
        history: window(burst),
        expect: { hits: 5, violatingLines: ['L1', 'L2', 'L3'], amountFen: 3000 },
      },
      { name: 'the seventh card of a burst: this claim only', claim: basket(7, 18, same), history: window([...burst, basket(6, 17, same)]), expect: { hits: 1 } },
      {
        name: 'five outpatient visits within minutes, each the fee and the same three drugs: the drugs are the basket',
        claim: visit(5, 16, same),
        history: window([1, 2, 3, 4].map((n) => visit(n, 10 + n, same))),
        reference: catalogue,
        expect: { hits: 5, violatingLines: ['L1', 'L2', 'L3', 'L4'] },
      },
      {
        name: 'a basket with one extra item still near-identical at a lowered similarity (0.75)',
        claim: basket(5, 16, [...same, 'X4']),
        history: window(burst),
        params: { minSimilarity: 0.75 },
      },
      {
        name: 'a burst of two-drug baskets fires at a lowered minItems (2)',
        claim: basket(5, 16, ['X1', 'X2']),
        history: window([1, 2, 3, 4].map((n) => basket(n, 10 + n, ['X1', 'X2']))),
        params: { minItems: 2 },
        expect: { hits: 5 },
      },
    ],
    passes: [
      {
        name: 'a queue at opening time: ten persons in ten minutes, each a different basket',
        claim: basket(10, 10, ['A1', 'A2']),
        history: window([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => basket(n, n, [`A${n + 2}`, `B${n}`, 'A1']))),
      },
      { name: 'a family at one clinic: three persons, the same basket', claim: basket(3, 12, same), history: window([basket(1, 10, same), basket(2, 11, same)]) },
      {
        name: 'five alike baskets but spread over an hour',
        claim: basket(5, 50, same),
        history: window([1, 2, 3, 4].map((n) => ({ ...basket(n, 10, same), startedAt: basket(n, 10, same).startedAt - n * 12 * 60_000 }))),
      },
      { name: 'five copies from one person (the same card: not many cards)', claim: basket(5, 16, same, 'P1'), history: window([1, 2, 3, 4].map((n) => basket(n, 10 + n, same, 'P1'))) },
      {
        name: 'five patients of one diagnosis at a busy desk within minutes, each the consultation fee and the one drug for it',
        claim: visit(5, 16, ['X1']),
        history: window([1, 2, 3, 4].map((n) => visit(n, 10 + n, ['X1']))),
        reference: catalogue,
      },
      { name: 'five persons buying one common drug', claim: basket(5, 16, ['X1']), history: window([1, 2, 3, 4].map((n) => basket(n, 10 + n, ['X1']))) },
      {
        name: 'five hypertensive patients at a busy desk within minutes, each the fee and the same pair of drugs prescribed together',
        claim: visit(5, 16, ['X1', 'X2']),
        history: window([1, 2, 3, 4].map((n) => visit(n, 10 + n, ['X1', 'X2']))),
        reference: catalogue,
      },
    ],
  };
}
