import { describe, expect, it } from 'vitest';
import { fitLogistic, predictLogistic, solveSpd } from '../../models/provider/logistic.js';
import { Xoshiro128ss } from '../../models/isolation-forest/prng.js';

/** The L2-regularised logistic regression of models/provider/logistic.ts against known solutions. */
describe('logistic regression', () => {
  it('solves a symmetric positive-definite system', () => {
    const x = solveSpd(
      [
        [4, 1],
        [1, 3],
      ],
      [1, 2],
    );
    expect(x[0]).toBeCloseTo(1 / 11, 12);
    expect(x[1]).toBeCloseTo(7 / 11, 12);
    expect(() =>
      solveSpd(
        [
          [0, 0],
          [0, 1],
        ],
        [1, 1],
      ),
    ).toThrow(/positive definite/);
  });

  it('without a penalty, one binary column gives the log odds of each group exactly', () => {
    // x = 0: 1 of 4 positive (log odds −ln 3); x = 1: 3 of 4 positive (ln 3)
    const x = [[0], [0], [0], [0], [1], [1], [1], [1]];
    const y = [1, 0, 0, 0, 1, 1, 1, 0] as (0 | 1)[];
    const m = fitLogistic(x, y, { lambda: 0 });
    expect(predictLogistic(m, [0])).toBeCloseTo(0.25, 9);
    expect(predictLogistic(m, [1])).toBeCloseTo(0.75, 9);
    // standardised column: sd 0.5, so the coefficient is 2 ln 3 × 0.5
    expect(m.weights[0]).toBeCloseTo(Math.log(3), 9);
    expect(m.intercept).toBeCloseTo(0, 9);
  });

  it('the penalty shrinks the coefficients toward 0 and the fitted odds toward the base rate', () => {
    const x = [[0], [0], [0], [0], [1], [1], [1], [1]];
    const y = [1, 0, 0, 0, 1, 1, 1, 0] as (0 | 1)[];
    const loose = fitLogistic(x, y, { lambda: 0 });
    const tight = fitLogistic(x, y, { lambda: 10 });
    expect(Math.abs(tight.weights[0]!)).toBeLessThan(Math.abs(loose.weights[0]!));
    // at the optimum the penalised gradient is 0: Σ (y − p) x_std = λ w
    const p = x.map((r) => predictLogistic(tight, r));
    const grad = x.reduce((s, r, i) => s + (y[i]! - p[i]!) * ((r[0]! - tight.means[0]!) / tight.sds[0]!), 0);
    expect(grad).toBeCloseTo(10 * tight.weights[0]!, 9);
    // the intercept is not penalised: predictions still average to the base rate
    expect(p.reduce((s, v) => s + v, 0) / p.length).toBeCloseTo(0.5, 9);
  });

  it('recovers the coefficients that generated the data, and separable data stays finite with a penalty', () => {
    const rng = Xoshiro128ss.fromSeed(11);
    const u = () => rng.nextUint32() / 2 ** 32;
    const gauss = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
    const x: number[][] = [];
    const y: (0 | 1)[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = [gauss(), gauss(), gauss()];
      const eta = -0.5 + 1.5 * r[0]! - 1 * r[1]!;
      x.push(r);
      y.push(u() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
    }
    const m = fitLogistic(x, y, { lambda: 0.01 });
    // back to the raw scale: w_raw = w / sd, b = intercept − Σ w_raw × mean
    const raw = m.weights.map((w, j) => w / m.sds[j]!);
    const b = m.intercept - raw.reduce((s, w, j) => s + w * m.means[j]!, 0);
    expect(raw[0]).toBeCloseTo(1.5, 1);
    expect(raw[1]).toBeCloseTo(-1, 1);
    expect(Math.abs(raw[2]!)).toBeLessThan(0.06);
    expect(b).toBeCloseTo(-0.5, 1);

    const sep = fitLogistic([[-2], [-1], [1], [2]], [0, 0, 1, 1], { lambda: 1 });
    expect(Number.isFinite(sep.weights[0])).toBe(true);
    expect(predictLogistic(sep, [2])).toBeGreaterThan(0.5);
  });

  it('refuses empty input and mismatched labels, naming the problem', () => {
    expect(() => fitLogistic([], [])).toThrow(/need rows/);
    expect(() => fitLogistic([[1]], [1, 0])).toThrow(/1 rows and 2 labels/);
    expect(() => fitLogistic([[1], [2]], [0, 1], { lambda: -1 })).toThrow(/lambda/);
  });

  it('gives each column its own penalty when lambda is an array', () => {
    const rng = Xoshiro128ss.fromSeed(21);
    const u = () => rng.nextUint32() / 2 ** 32;
    const x: number[][] = [];
    const y: (0 | 1)[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = u() * 2 - 1;
      const b = u() * 2 - 1;
      x.push([a, b]);
      y.push(u() < 1 / (1 + Math.exp(-(2 * a + 2 * b))) ? 1 : 0);
    }
    const same = fitLogistic(x, y, { lambda: [1, 1] });
    const scalar = fitLogistic(x, y, { lambda: 1 });
    expect(same.weights[0]).toBeCloseTo(scalar.weights[0]!, 12);
    expect(same.weights[1]).toBeCloseTo(scalar.weights[1]!, 12);
    // a huge penalty on the second column holds it near 0; the first is fitted as before
    const held = fitLogistic(x, y, { lambda: [1, 1e9] });
    expect(Math.abs(held.weights[1]!)).toBeLessThan(1e-5);
    expect(held.weights[0]).toBeGreaterThan(0.8);
    expect(() => fitLogistic(x, y, { lambda: [1] })).toThrow(/one per column \(2\), got 1/);
    expect(() => fitLogistic(x, y, { lambda: [1, -1] })).toThrow(/at least 0/);
  });

  it('with label noise ε, recovers the coefficients of the true class from labels flipped at random; a plain fit is flattened', () => {
    const rng = Xoshiro128ss.fromSeed(31);
    const u = () => rng.nextUint32() / 2 ** 32;
    const gauss = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
    const x: number[][] = [];
    const y: (0 | 1)[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = [gauss(), gauss()];
      const truth = u() < 1 / (1 + Math.exp(-(-1 + 3 * r[0]! - 2 * r[1]!))) ? 1 : 0;
      x.push(r);
      // one label in ten is wrong, whatever the row
      y.push((u() < 0.1 ? 1 - truth : truth) as 0 | 1);
    }
    const raw = (m: ReturnType<typeof fitLogistic>) => {
      const w = m.weights.map((v, j) => v / m.sds[j]!);
      return [m.intercept - w.reduce((s, v, j) => s + v * m.means[j]!, 0), ...w];
    };
    const aware = raw(fitLogistic(x, y, { lambda: 0.01, labelNoise: 0.1 }));
    // within 0.1 of the generating −1, 3, −2 (20,000 rows, 2,000 of them flipped)
    [-1, 3, -2].forEach((v, j) => expect(Math.abs(aware[j]! - v)).toBeLessThan(0.1));
    // the plain fit reads the flipped labels as weaker coefficients: about half of each here
    const plain = raw(fitLogistic(x, y, { lambda: 0.01 }));
    expect(plain[1]!).toBeGreaterThan(1.2);
    expect(plain[1]!).toBeLessThan(1.7);
    expect(plain[2]!).toBeGreaterThan(-1.2);
    expect(plain[2]!).toBeLessThan(-0.8);
    // ε = 0 is the plain fit
    const zero = fitLogistic(x.slice(0, 500), y.slice(0, 500), { lambda: 1, labelNoise: 0 });
    const none = fitLogistic(x.slice(0, 500), y.slice(0, 500), { lambda: 1 });
    expect(zero.weights).toEqual(none.weights);
    expect(zero.intercept).toBe(none.intercept);
    expect(() => fitLogistic(x, y, { labelNoise: 0.5 })).toThrow(/labelNoise/);
    expect(() => fitLogistic(x, y, { labelNoise: -0.1 })).toThrow(/labelNoise/);
  });

  it('adds a fixed offset to the linear predictor and fits only what the offset leaves', () => {
    const rng = Xoshiro128ss.fromSeed(41);
    const u = () => rng.nextUint32() / 2 ** 32;
    const x: number[][] = [];
    const offset: number[] = [];
    const y: (0 | 1)[] = [];
    for (let i = 0; i < 20_000; i++) {
      const a = u() * 4 - 2;
      const b = u() * 2 - 1;
      // a prior model's log odds 2a, and a column b the prior does not read
      offset.push(2 * a);
      x.push([b]);
      y.push(u() < 1 / (1 + Math.exp(-(2 * a + 1.5 * b + 0.5))) ? 1 : 0);
    }
    const m = fitLogistic(x, y, { lambda: 0.01, offset });
    const w = m.weights[0]! / m.sds[0]!;
    expect(w).toBeCloseTo(1.5, 1);
    expect(m.intercept - w * m.means[0]!).toBeCloseTo(0.5, 1);
    // a huge penalty keeps the column at 0: the offset plus an intercept
    const held = fitLogistic(x, y, { lambda: 1e9, offset });
    expect(Math.abs(held.weights[0]!)).toBeLessThan(1e-5);
    expect(held.intercept).toBeGreaterThan(0.3);
    expect(() => fitLogistic(x, y, { offset: [1, 2] })).toThrow(/offset must have one value per row \(20000\), got 2/);
  });
});
