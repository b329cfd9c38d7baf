/**
 * Isolation Forest (Liu, Ting and Zhou, "Isolation Forest", ICDM 2008).
 *
 *   const model = IsolationForest.fit(rows, { trees: 100, psi: 256, seed: 7 });
 *   const scores = model.score(rows);            // s(x) in (0, 1]; > 0.5 looks anomalous
 *   const same = IsolationForest.fromJSON(JSON.parse(JSON.stringify(model)));
 *
 * Pure: no I/O. Deterministic: same data, options and seed give the same trees and scores.
 */
import { toDenseMatrix, type DenseMatrix, type MatrixInput } from './matrix.js';
import { averagePathLength } from './path-length.js';
import { Xoshiro128ss } from './prng.js';
import { checkFeatureNames, checkParams, decodeForest, encodeForest, type DecodedForest, type IsolationForestJSON, type IsolationForestParams } from './serialize.js';
import { growForest, heightLimitFor, type ForestArrays } from './tree.js';

export const DEFAULT_TREES = 100;
export const DEFAULT_PSI = 256;
export const DEFAULT_SEED = 0;

/** Rows scored together through all trees (9 features × 8 B × 1024 ≈ 74 KB of input). */
const ROW_BLOCK = 1024;

export interface IsolationForestOptions {
  /** Number of trees t (default 100, the paper's setting). */
  trees?: number;
  /** Subsample size ψ per tree (default 256, the paper's setting); min(ψ, n) is used. */
  psi?: number;
  /** Unsigned 32-bit seed (default 0). */
  seed?: number;
  /** Optional names of the columns, kept in the JSON form. */
  featureNames?: readonly string[];
}

export class IsolationForest {
  readonly params: IsolationForestParams;
  /** Subsample size actually used, min(ψ, n). */
  readonly sampleSize: number;
  /** Height limit ceil(log2 sampleSize). */
  readonly heightLimit: number;
  readonly nFeatures: number;
  readonly featureNames: readonly string[] | undefined;
  /** Canonical node arrays (what toJSON writes). */
  private readonly nodes: ForestArrays;
  /** Scoring layout: [feature, left] of node i at 2i, 2i + 1 (one cache line holds both). */
  private readonly walk: Int32Array;
  /**
   * Scoring layout: split value p at internal nodes; at external nodes the whole path length
   * h(x) = e + c(Size) of Algorithm 3 (depth e of the node plus the adjustment c(Size)).
   */
  private readonly value: Float64Array;
  /** c(ψ), the normaliser of the score. */
  private readonly cPsi: number;

  private constructor(f: DecodedForest) {
    this.params = Object.freeze({ ...f.params });
    this.sampleSize = f.sampleSize;
    this.heightLimit = heightLimitFor(f.sampleSize);
    this.nFeatures = f.nFeatures;
    this.featureNames = f.featureNames ? Object.freeze([...f.featureNames]) : undefined;
    this.nodes = f.arrays;
    this.cPsi = averagePathLength(f.sampleSize);

    // Children come after their parent, so one forward pass gives every depth.
    const { treeStart, feature, split, left, size } = f.arrays;
    const n = feature.length;
    const depth = new Int32Array(n);
    const walk = new Int32Array(2 * n);
    const value = new Float64Array(n);
    for (let t = 0; t + 1 < treeStart.length; t++) depth[treeStart[t]!] = 0;
    for (let node = 0; node < n; node++) {
      const d = depth[node]!;
      const q = feature[node]!;
      walk[2 * node] = q;
      if (q < 0) {
        value[node] = d + averagePathLength(size[node]!);
      } else {
        const c = left[node]!;
        walk[2 * node + 1] = c;
        value[node] = split[node]!;
        depth[c] = d + 1;
        depth[c + 1] = d + 1;
      }
    }
    this.walk = walk;
    this.value = value;
  }

  /** Trains a forest (Algorithm 1). Needs at least two rows. */
  static fit(input: MatrixInput, options: IsolationForestOptions = {}): IsolationForest {
    const params: IsolationForestParams = {
      trees: options.trees ?? DEFAULT_TREES,
      psi: options.psi ?? DEFAULT_PSI,
      seed: options.seed ?? DEFAULT_SEED,
    };
    checkParams(params);
    const x = toDenseMatrix(input);
    if (x.rows < 2) throw new RangeError(`need at least 2 rows to train, got ${x.rows}`);
    const featureNames = checkFeatureNames(options.featureNames, x.cols);
    const sampleSize = Math.min(params.psi, x.rows);
    const rng = Xoshiro128ss.fromSeed(params.seed);
    const arrays = growForest(x, params.trees, sampleSize, rng);
    return new IsolationForest({ params, sampleSize, nFeatures: x.cols, featureNames, arrays });
  }

  static fromJSON(json: unknown): IsolationForest {
    return new IsolationForest(decodeForest(json));
  }

  toJSON(): IsolationForestJSON {
    return encodeForest({
      params: this.params,
      sampleSize: this.sampleSize,
      nFeatures: this.nFeatures,
      featureNames: this.featureNames,
      arrays: this.nodes,
    });
  }

  get nodeCount(): number {
    return this.nodes.feature.length;
  }

  /** Anomaly scores s(x) = 2^(−E[h(x)] / c(ψ)), one per row. Accepts a bare row-major Float64Array. */
  score(input: MatrixInput | Float64Array): Float64Array {
    const out = this.meanPathLengths(input);
    const k = -1 / this.cPsi;
    for (let r = 0; r < out.length; r++) out[r] = 2 ** (out[r]! * k);
    return out;
  }

  /** Score of a single row. */
  scoreOne(row: ArrayLike<number>): number {
    return this.score([row])[0]!;
  }

  /** E[h(x)]: path length averaged over the trees (Algorithm 3), one per row. */
  meanPathLengths(input: MatrixInput | Float64Array): Float64Array {
    const { data, rows, cols } = this.matrix(input);
    const treeStart = this.nodes.treeStart;
    const { walk, value } = this;
    const trees = treeStart.length - 1;
    const out = new Float64Array(rows);
    // Blocks of rows, each run through every tree: a block of the input stays in cache while
    // the trees stream past it. Per row the trees are still summed in order t = 0, 1, …
    for (let lo = 0; lo < rows; lo += ROW_BLOCK) {
      const hi = Math.min(rows, lo + ROW_BLOCK);
      for (let t = 0; t < trees; t++) {
        const root = treeStart[t]!;
        const rootFeature = walk[2 * root]!;
        for (let r = lo; r < hi; r++) {
          const base = r * cols;
          let node = root;
          let q = rootFeature;
          while (q >= 0) {
            const child = walk[2 * node + 1]!;
            node = data[base + q]! < value[node]! ? child : child + 1;
            q = walk[2 * node]!;
          }
          out[r]! += value[node]!;
        }
      }
    }
    for (let r = 0; r < rows; r++) out[r]! /= trees;
    return out;
  }

  private matrix(input: MatrixInput | Float64Array): DenseMatrix {
    if (input instanceof Float64Array) {
      return toDenseMatrix({ data: input, cols: this.nFeatures }, this.nFeatures);
    }
    return toDenseMatrix(input, this.nFeatures);
  }
}
