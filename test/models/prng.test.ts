import { describe, it, expect } from 'vitest';
import { Xoshiro128ss } from '../../models/isolation-forest/prng.js';

describe('xoshiro128**', () => {
  it('matches the reference C implementation (state 1, 2, 3, 4)', () => {
    // Output of https://prng.di.unimi.it/xoshiro128starstar.c compiled with gcc, s = {1, 2, 3, 4}.
    const rng = new Xoshiro128ss(1, 2, 3, 4);
    const got = Array.from({ length: 8 }, () => rng.nextUint32());
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it('is reproducible from a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = Xoshiro128ss.fromSeed(seed);
      return Array.from({ length: 16 }, () => rng.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(0)).not.toEqual(draw(0xffffffff));
  });

  it('gives floats in [0, 1) and integers in [0, n) with plausible uniformity', () => {
    const rng = Xoshiro128ss.fromSeed(123);
    const counts = new Array<number>(10).fill(0);
    let sum = 0;
    let outside = 0;
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      const u = rng.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      counts[rng.nextInt(10)]! += 1;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / N - 0.5)).toBeLessThan(0.005);
    for (const c of counts) expect(Math.abs(c - N / 10)).toBeLessThan(500); // ~5 sd
  });

  it('rejects invalid seeds and an all-zero state', () => {
    expect(() => Xoshiro128ss.fromSeed(-1)).toThrow(RangeError);
    expect(() => Xoshiro128ss.fromSeed(1.5)).toThrow(RangeError);
    expect(() => Xoshiro128ss.fromSeed(2 ** 32)).toThrow(RangeError);
    expect(() => new Xoshiro128ss(0, 0, 0, 0)).toThrow(RangeError);
  });
});
