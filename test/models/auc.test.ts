import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { rocAuc } from '../../models/metrics/auc.js';

/** P(s+ > s−) + ½·P(s+ = s−) over all pairs, the definition the rank formula must match. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

describe('rocAuc (Mann–Whitney, ties averaged)', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, ½ when everything ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1, 0])).toBe(0.5);
  });

  it('counts a tie between a positive and a negative as half a win', () => {
    // pairs (pos, neg): (0.4,0.1)=1 (0.4,0.4)=½ (0.7,0.1)=1 (0.7,0.4)=1 → 3.5/4
    expect(rocAuc([0.1, 0.4, 0.4, 0.7], [0, 0, 1, 1])).toBe(0.875);
    expect(rocAuc([1, 2, 3], [true, false, true])).toBe(0.5);
  });

  it('handles infinities', () => {
    expect(rocAuc([-Infinity, Infinity, Infinity], [0, 1, 0])).toBe(0.75);
  });

  it('matches the pairwise definition on random data with many ties', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1 })), {
          minLength: 2,
          maxLength: 60,
        }),
        (pairs) => {
          const scores = pairs.map(([s]) => s / 3);
          const labels = pairs.map(([, l]) => l);
          fc.pre(labels.includes(0) && labels.includes(1));
          expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
        },
      ),
      { numRuns: 300, seed: 20080101 },
    );
  });

  it('rejects bad input', () => {
    expect(() => rocAuc([1, 2], [1, 1])).toThrow(RangeError);
    expect(() => rocAuc([1, 2], [0])).toThrow(RangeError);
    expect(() => rocAuc([1, NaN], [0, 1])).toThrow(RangeError);
    expect(() => rocAuc([1, 2], [0, 2])).toThrow(RangeError);
  });
});
