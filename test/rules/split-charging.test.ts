import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claim, hospital, item, reference } from '../../rules/fixtures/build.js';
import { splitPackage } from '../../rules/split-charging/package.js';
import { splitPartsApart } from '../../rules/split-charging/parts-apart.js';
import { nonEmpty, permutations, screenInOrder } from './arrival.js';
import { buildRelated, relatedOracle, relatedScenario, WINDOWS } from './related.js';

describe('SPLIT-PACKAGE in every arrival order', () => {
  it('finds each part billed beside its package once, on the claim that holds it', () => {
    fc.assert(
      fc.property(fc.option(fc.constantFrom(...WINDOWS), { nil: undefined }), relatedScenario(['PKG', 'A', 'B', 'X']), (window, specs) => {
        const ref = reference({
          relations: [
            { kind: 'package', mainCode: 'PKG', subCode: 'A', window, source: 't' },
            { kind: 'package', mainCode: 'PKG', subCode: 'B', window, source: 't' },
            // an 'includes' relation is not a package: never reported here
            { kind: 'includes', mainCode: 'X', subCode: 'A', window: 'same_day', source: 't' },
          ],
        });
        const claims = buildRelated(specs);
        const expected = relatedOracle(claims, { PKG: window ?? 'same_visit' }, { PKG: ['A', 'B'] });
        for (const order of permutations(claims)) expect(nonEmpty(screenInOrder(splitPackage, order, ref).ledger)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('SPLIT-PARTS-APART in every arrival order', () => {
  const parts = ['K', 'NA', 'CL', 'CA'] as const;
  const ref = reference({
    institutions: [hospital()],
    items: [item({ itemCode: 'PKG', priceCeiling: { secondary: 150_000 } })],
    relations: parts.map((subCode) => ({ kind: 'package' as const, mainCode: 'PKG', subCode, source: 't' })),
  });
  const partLine = fc.record({ code: fc.constantFrom(...parts), day: fc.constantFrom(3, 4), amountFen: fc.integer({ min: 100, max: 900 }) });

  it('charges, summed over the claims of one stay, the whole excess of each day’s parts over the package', () => {
    fc.assert(
      fc.property(fc.array(fc.array(partLine, { maxLength: 3 }), { minLength: 1, maxLength: 3 }), (perClaim) => {
        const claims = perClaim.map((lines, i) =>
          claim({
            claimNo: `C${i + 1}`,
            admitted: '2026-10-01 10:00',
            discharged: '2026-10-09 10:00',
            lines: lines.map((l) => ({ itemCode: l.code, at: `2026-10-0${l.day} 08:00`, amountFen: l.amountFen })),
          }),
        );
        let expected = 0;
        for (const day of [3, 4]) {
          const onDay = perClaim.flat().filter((l) => l.day === day);
          if (new Set(onDay.map((l) => l.code)).size >= 2) expected += Math.max(0, onDay.reduce((s, l) => s + l.amountFen, 0) - 1500);
        }
        for (const order of permutations(claims)) {
          const total = Object.values(screenInOrder(splitPartsApart, order, ref).ledger).reduce((s, e) => s + e.amountFen, 0);
          expect(total).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
