import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reference } from '../../rules/fixtures/build.js';
import { splitPackage } from '../../rules/split-charging/package.js';
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
