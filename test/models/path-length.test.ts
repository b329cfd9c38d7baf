import { describe, it, expect } from 'vitest';
import { averagePathLength as c, EULER_GAMMA, EXACT_LIMIT, harmonic } from '../../models/isolation-forest/path-length.js';

/** Exact harmonic number, summed from the smallest term up (independent of the model's table). */
function harmonicBySum(i: number): number {
  let s = 0;
  for (let k = i; k >= 1; k--) s += 1 / k;
  return s;
}

describe('c(n), average path length of an unsuccessful BST search', () => {
  it('has the exact small values', () => {
    expect(c(0)).toBe(0);
    expect(c(1)).toBe(0);
    expect(c(2)).toBe(1);
    expect(c(3)).toBeCloseTo(2 * 1.5 - 4 / 3, 15); // 5/3
  });

  it('c(256) equals 2·H(255) − 2·255/256 with the exact harmonic sum', () => {
    const expected = 2 * harmonicBySum(255) - (2 * 255) / 256;
    expect(Math.abs(c(256) - expected) / expected).toBeLessThan(1e-13);
    // Same value from exact rational arithmetic (Python fractions), 30 significant digits:
    // 10.2486899256345607377539473811
    // eslint-disable-next-line no-loss-of-precision -- written as computed; the comparison is relative, within 1e-15
    expect(Math.abs(c(256) - 10.2486899256345607377539473811) / c(256)).toBeLessThan(1e-15);
  });

  it('is exact on both sides of the table/asymptotic switch', () => {
    for (const i of [EXACT_LIMIT - 1, EXACT_LIMIT, EXACT_LIMIT + 1, EXACT_LIMIT + 7, 5000]) {
      const exact = harmonicBySum(i);
      expect(Math.abs(harmonic(i) - exact) / exact).toBeLessThan(1e-14);
    }
  });

  it('approaches the paper’s approximation 2(ln(n−1) + γ) − 2(n−1)/n for large n', () => {
    for (const n of [1e4, 1e6]) {
      const paper = 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
      // exact H(i) − (ln i + γ) = 1/(2i) − 1/(12i²) + …, so c − paper ≈ 1/i − 1/(6i²), i = n − 1
      const i = n - 1;
      expect(c(n) - paper).toBeCloseTo(1 / i - 1 / (6 * i * i), 12);
    }
  });

  it('is increasing and rejects non-integers', () => {
    for (let n = 2; n < 3000; n++) expect(c(n + 1)).toBeGreaterThan(c(n));
    expect(() => c(2.5)).toThrow(RangeError);
    expect(() => c(-1)).toThrow(RangeError);
  });
});
