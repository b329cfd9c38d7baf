/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n
 * nodes, used by Liu, Ting and Zhou (ICDM 2008, eq. 1) both to normalise the mean path length
 * into a score and to extend the path length at an external node that still holds `size`
 * points (the subtree that the height limit cut off):
 *
 *   c(n) = 2·H(n − 1) − 2(n − 1)/n,   c(0) = c(1) = 0.
 *
 * The paper estimates the harmonic number by H(i) ≈ ln(i) + γ. That estimate is off by about
 * 1/(2i) (0.5 at i = 1, so it does not even give c(2) = 1 without a special case). Here H is
 * exact: a compensated sum for i ≤ EXACT_LIMIT, and above it the asymptotic expansion
 * ln(i) + γ + 1/(2i) − 1/(12i²) + 1/(120i⁴), whose truncation error (< 1/(252·i⁶) < 1e-20)
 * is far below double precision there. So c(2) = 1 exactly, c(256) is exact to rounding.
 */

export const EULER_GAMMA = 0.5772156649015329;

/** Harmonic numbers up to this index are tabulated by direct (compensated) summation. */
export const EXACT_LIMIT = 1024;

const HARMONIC: Float64Array = (() => {
  const table = new Float64Array(EXACT_LIMIT + 1);
  let sum = 0;
  let comp = 0; // Neumaier compensation term
  for (let i = 1; i <= EXACT_LIMIT; i++) {
    const term = 1 / i;
    const t = sum + term;
    comp += Math.abs(sum) >= term ? sum - t + term : term - t + sum;
    sum = t;
    table[i] = sum + comp;
  }
  return table;
})();

/** H(i) = 1 + 1/2 + … + 1/i for an integer i ≥ 0 (H(0) = 0). */
export function harmonic(i: number): number {
  if (!Number.isInteger(i) || i < 0) {
    throw new RangeError(`harmonic number needs an integer ≥ 0, got ${i}`);
  }
  if (i <= EXACT_LIMIT) return HARMONIC[i]!;
  const inv = 1 / i;
  const inv2 = inv * inv;
  return Math.log(i) + EULER_GAMMA + 0.5 * inv - inv2 / 12 + (inv2 * inv2) / 120;
}

/** c(n) = 2·H(n − 1) − 2(n − 1)/n for n ≥ 2; c(0) = c(1) = 0. */
export function averagePathLength(n: number): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`c(n) needs an integer n ≥ 0, got ${n}`);
  }
  if (n <= 1) return 0;
  return 2 * harmonic(n - 1) - (2 * (n - 1)) / n;
}
