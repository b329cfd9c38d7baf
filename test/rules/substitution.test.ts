import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claim } from '../../rules/claim.js';
import { evaluateRules } from '../../rules/engine.js';
import { claim, reference } from '../../rules/fixtures/build.js';
import { nameCloseness, nameSimilarity } from '../../rules/substitution/name-similarity.js';
import { stockShortage } from '../../rules/substitution/stock-shortage.js';

describe('name similarity (SUB-NAME-MISMATCH)', () => {
  it.each([
    ['头孢克肟胶囊', '阿莫西林胶囊', 0],
    ['丹参注射液', '参麦注射液', 0],
    ['静脉输液泵', '静脉穿刺术', 0.25],
    ['一次性使用输液器', '一次性使用无菌注射器', 0],
    ['血常规', '血细胞分析', 0],
    ['阿莫西林胶囊(阿莫仙) 0.25g*24粒', '阿莫西林胶囊', 1],
    ['０.９％氯化钠注射液　100ml', '氯化钠注射液', 1],
    ['注射用头孢曲松钠', '头孢曲松钠', 1],
    ['CT平扫', 'X线计算机体层(CT)平扫', 1],
    ['单人间床位费（普通病房）', '普通病房床位费(单人间)', 7 / 9],
  ])('%s against %s', (institutionName, catalogueName, expected) => {
    expect(nameSimilarity(institutionName, catalogueName)).toBeCloseTo(expected, 10);
  });

  it('has nothing to compare in a name without letters', () => {
    expect(nameSimilarity('0.25g*24', '阿莫西林胶囊')).toBeUndefined();
  });
});

describe('name closeness (SUB-LOOKALIKE)', () => {
  it('tells a dosage form from another, where the similarity measure is form-blind', () => {
    expect(nameSimilarity('甲钴胺片', '甲钴胺注射液')).toBe(1);
    expect(nameCloseness('甲钴胺片', '甲钴胺片')).toBe(1);
    expect(nameCloseness('甲钴胺片', '甲钴胺注射液')).toBeCloseTo(0.5, 10);
  });

  it('keeps the catalogue’s bracketed qualifier', () => {
    expect(nameCloseness('普通病房床位费', '普通病房床位费')).toBe(1);
    expect(nameCloseness('普通病房床位费', '普通病房床位费(单人间)')).toBeCloseTo(0.8, 10);
  });

  it('sees an added ingredient', () => {
    expect(nameCloseness('阿莫西林胶囊', '阿莫西林胶囊')).toBeGreaterThan(nameCloseness('阿莫西林胶囊', '阿莫西林克拉维酸钾片')!);
  });
});

describe('SUB-STOCK-SHORTAGE in every arrival order', () => {
  const drug = 'XC09AAE056A001010100';
  const box = 10_000;
  it('withholds exactly the month’s sales beyond stock, whichever claims arrive last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.array(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 5 }), (stockBoxes, sales) => {
        const ref = reference({ stock: [{ institutionId: 'Y7', itemCode: drug, month: '2026-10', stock: { openingQuantity: 0, purchasedQuantity: stockBoxes * box } }] });
        const claims: Claim[] = sales.map((boxes, i) =>
          claim({
            institutionId: 'Y7',
            claimNo: `S${i + 1}`,
            personHash: `P${i + 1}`,
            visitType: 'pharmacy',
            lines: boxes.map((n, j) => ({ itemCode: drug, category: 'drug' as const, at: `2026-10-${String(10 + i).padStart(2, '0')} 09:0${j}`, quantity: n * box, unitPrice: 350_000 })),
          }),
        );
        const sold = sales.flat().reduce((s, n) => s + n, 0);
        // claims in the order they arrive: each sees what the earlier-arrived ones billed in the month
        for (const order of [claims, [...claims].reverse(), [...claims.slice(1), claims[0]!]]) {
          let billed = 0;
          let withheldFen = 0;
          for (const c of order) {
            const { findings, errors } = evaluateRules([stockShortage], {
              claim: c,
              history: { personClaims: [], institutionMonthQuantity: new Map([[drug, billed]]) },
              reference: ref,
              serviceDate: '2026-10-10',
            });
            expect(errors).toEqual([]);
            for (const f of findings) expect(f.severity).toBe('violation');
            withheldFen += findings.reduce((s, f) => s + f.amountFen, 0);
            billed += c.lines.reduce((s, l) => s + l.quantity, 0);
          }
          expect(withheldFen).toBe(Math.max(0, sold - stockBoxes) * 3500);
        }
      }),
      { numRuns: 200 },
    );
  });
});
