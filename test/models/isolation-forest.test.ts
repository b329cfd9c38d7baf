import { describe, it, expect } from 'vitest';
import { IsolationForest, type IsolationForestJSON } from '../../models/isolation-forest/index.js';
import { Xoshiro128ss } from '../../models/isolation-forest/prng.js';
import { sampleIndices } from '../../models/isolation-forest/tree.js';
import { loadOdds, toRows } from './odds.js';

/** n points from a 2-D standard normal (Box–Muller), plus one far outlier appended last. */
function blobWithOutlier(n: number, seed: number): number[][] {
  const rng = Xoshiro128ss.fromSeed(seed);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.nextFloat()));
    const a = 2 * Math.PI * rng.nextFloat();
    rows.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  rows.push([8, -8]);
  return rows;
}

const breastw = loadOdds('breastw');
const breastwMatrix = { data: breastw.data, cols: breastw.cols };

describe('IsolationForest', () => {
  it('gives the far outlier the highest score, above 0.5, and ordinary points below', () => {
    const rows = blobWithOutlier(1000, 1);
    const scores = IsolationForest.fit(rows, { seed: 3 }).score(rows);
    const outlier = scores[rows.length - 1]!;
    expect(outlier).toBeGreaterThan(0.7);
    expect(Math.max(...scores.subarray(0, -1))).toBeLessThan(outlier);
    const median = [...scores].sort((a, b) => a - b)[scores.length >> 1]!;
    expect(median).toBeLessThan(0.5);
  });

  it('same data and seed give identical scores; another seed gives different ones', () => {
    const a = IsolationForest.fit(breastwMatrix, { seed: 11 }).score(breastwMatrix);
    const b = IsolationForest.fit(breastwMatrix, { seed: 11 }).score(breastwMatrix);
    const c = IsolationForest.fit(breastwMatrix, { seed: 12 }).score(breastwMatrix);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    let differing = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== c[i]) differing++;
    expect(differing).toBeGreaterThan(a.length / 2);
  });

  it('accepts number[][] and row-major Float64Array alike', () => {
    const rows = toRows(breastw);
    const fromRows = IsolationForest.fit(rows, { seed: 5 });
    const fromMatrix = IsolationForest.fit(breastwMatrix, { seed: 5 });
    const s = fromMatrix.score(breastwMatrix);
    expect(fromRows.score(rows)).toEqual(s);
    expect(fromRows.score(breastw.data)).toEqual(s); // bare Float64Array, width from the model
    expect(fromRows.scoreOne(rows[17]!)).toBe(s[17]);
  });

  it('survives a JSON round trip with identical scores', () => {
    const model = IsolationForest.fit(breastwMatrix, {
      seed: 99,
      trees: 50,
      psi: 128,
      featureNames: breastw.featureNames,
    });
    const text = JSON.stringify(model);
    const back = IsolationForest.fromJSON(JSON.parse(text));
    expect(back.score(breastwMatrix)).toEqual(model.score(breastwMatrix));
    expect(JSON.stringify(back)).toBe(text);
    expect(IsolationForest.fromJSON(text).score(breastwMatrix)).toEqual(model.score(breastwMatrix));
    const json = model.toJSON();
    expect(json.format).toBe('claimscreen.isolation-forest');
    expect(json.version).toBe(1);
    expect(json.params).toEqual({ trees: 50, psi: 128, seed: 99 });
    expect(json.nFeatures).toBe(9);
    expect(json.featureNames).toEqual(breastw.featureNames);
    expect(back.featureNames).toEqual(breastw.featureNames);
  });

  it('grows trees as in the paper: ψ-point subsamples, height limit ceil(log2 ψ)', () => {
    const json = IsolationForest.fit(breastwMatrix, { seed: 1, trees: 20, psi: 100 }).toJSON();
    expect(json.sampleSize).toBe(100);
    expect(json.heightLimit).toBe(7);
    const { treeStart, feature, left, size } = json.forest;
    expect(treeStart).toHaveLength(21);
    for (let t = 0; t < 20; t++) {
      const depth = new Map<number, number>([[treeStart[t]!, 0]]);
      let leafTotal = 0;
      let maxDepth = 0;
      for (let node = treeStart[t]!; node < treeStart[t + 1]!; node++) {
        const d = depth.get(node)!;
        maxDepth = Math.max(maxDepth, d);
        if (feature[node] === -1) leafTotal += size[node]!;
        else {
          depth.set(left[node]!, d + 1);
          depth.set(left[node]! + 1, d + 1);
        }
      }
      expect(size[treeStart[t]!]).toBe(100);
      expect(leafTotal).toBe(100);
      expect(maxDepth).toBeLessThanOrEqual(7);
    }
  });

  it('uses min(ψ, n) and normalises by c(n) when the data is small', () => {
    const rows = blobWithOutlier(40, 2);
    const model = IsolationForest.fit(rows, { seed: 1 });
    expect(model.sampleSize).toBe(41);
    expect(model.heightLimit).toBe(6);
    const scores = model.score(rows);
    expect(scores[40]).toBe(Math.max(...scores));
  });

  it('draws distinct subsample indices uniformly (Floyd)', () => {
    const rng = Xoshiro128ss.fromSeed(4);
    const out = new Int32Array(3);
    const counts = new Array<number>(5).fill(0);
    const N = 30_000;
    for (let k = 0; k < N; k++) {
      sampleIndices(5, 3, rng, out);
      expect(new Set(out).size).toBe(3);
      for (const i of out) counts[i]! += 1;
    }
    for (const c of counts) expect(Math.abs(c / N - 3 / 5)).toBeLessThan(0.015);
  });

  it('rejects bad options and bad input', () => {
    expect(() => IsolationForest.fit([[1], [2]], { trees: 0 })).toThrow(RangeError);
    expect(() => IsolationForest.fit([[1], [2]], { psi: 1 })).toThrow(RangeError);
    expect(() => IsolationForest.fit([[1], [2]], { seed: -3 })).toThrow(RangeError);
    expect(() => IsolationForest.fit([[1]])).toThrow(RangeError);
    expect(() => IsolationForest.fit([[1, 2], [3]])).toThrow(RangeError);
    expect(() => IsolationForest.fit([[1], [NaN]])).toThrow(RangeError);
    expect(() => IsolationForest.fit({ data: new Float64Array(5), cols: 2 })).toThrow(RangeError);
    expect(() => IsolationForest.fit([[1], [2]], { featureNames: ['a', 'b'] })).toThrow(RangeError);
    const model = IsolationForest.fit([
      [1, 2],
      [3, 4],
      [5, 7],
    ]);
    expect(() => model.score([[1, 2, 3]])).toThrow(RangeError);
    expect(() => model.score([[1, Infinity]])).toThrow(RangeError);
    expect(model.score([])).toHaveLength(0);
  });

  it('rejects tampered JSON', () => {
    const good = IsolationForest.fit(breastwMatrix, { seed: 2, trees: 5 }).toJSON();
    const tamper = (f: (j: IsolationForestJSON) => void) => {
      const j = structuredClone(good);
      f(j);
      return () => IsolationForest.fromJSON(j);
    };
    expect(tamper(() => {})).not.toThrow();
    expect(tamper((j) => ((j as { version: number }).version = 2))).toThrow(/version/);
    expect(tamper((j) => ((j as { format: string }).format = 'x'))).toThrow(/format/);
    const internal = good.forest.feature.findIndex((q) => q >= 0);
    expect(tamper((j) => (j.forest.feature[internal] = 9))).toThrow(/feature/);
    expect(tamper((j) => (j.forest.left[internal] = internal))).toThrow(/children/);
    expect(tamper((j) => (j.forest.split[internal] = NaN))).toThrow(/finite/);
    expect(tamper((j) => j.forest.size.pop())).toThrow(/length/);
    expect(tamper((j) => (j.sampleSize = 300))).toThrow(/sampleSize/);
    expect(() => IsolationForest.fromJSON(null)).toThrow(TypeError);
  });
});
