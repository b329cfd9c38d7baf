/**
 * JSON form of a trained forest and its validation. Numbers survive JSON.stringify/parse
 * exactly (shortest round-trip decimal), so a round-tripped model scores identically.
 */
import { assertSeed } from './prng.js';
import { heightLimitFor, type ForestArrays } from './tree.js';

export const FORMAT = 'claimscreen.isolation-forest';
export const FORMAT_VERSION = 1;

export interface IsolationForestParams {
  /** Number of trees t. */
  readonly trees: number;
  /** Requested subsample size ψ (the forest uses min(ψ, n)). */
  readonly psi: number;
  /** Seed of the xoshiro128** generator. */
  readonly seed: number;
}

export interface IsolationForestJSON {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  params: IsolationForestParams;
  /** Subsample size actually used, min(ψ, n); c(sampleSize) normalises the scores. */
  sampleSize: number;
  /** ceil(log2 sampleSize), informative (checked on load). */
  heightLimit: number;
  nFeatures: number;
  featureNames?: string[];
  /** Flat node arrays; see ForestArrays. */
  forest: {
    treeStart: number[];
    feature: number[];
    split: number[];
    left: number[];
    size: number[];
  };
}

export interface DecodedForest {
  params: IsolationForestParams;
  sampleSize: number;
  nFeatures: number;
  featureNames: readonly string[] | undefined;
  arrays: ForestArrays;
}

export function checkParams(p: IsolationForestParams): void {
  if (!Number.isInteger(p.trees) || p.trees < 1) {
    throw new RangeError(`trees must be a positive integer, got ${p.trees}`);
  }
  if (!Number.isInteger(p.psi) || p.psi < 2) {
    throw new RangeError(`psi must be an integer ≥ 2, got ${p.psi}`);
  }
  assertSeed(p.seed);
}

export function checkFeatureNames(names: unknown, nFeatures: number): string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || !names.every((s) => typeof s === 'string')) {
    throw new TypeError('featureNames must be an array of strings');
  }
  if (names.length !== nFeatures) {
    throw new RangeError(`${names.length} feature names for ${nFeatures} features`);
  }
  return [...(names as string[])];
}

export function encodeForest(f: DecodedForest): IsolationForestJSON {
  const a = f.arrays;
  const json: IsolationForestJSON = {
    format: FORMAT,
    version: FORMAT_VERSION,
    params: { trees: f.params.trees, psi: f.params.psi, seed: f.params.seed },
    sampleSize: f.sampleSize,
    heightLimit: heightLimitFor(f.sampleSize),
    nFeatures: f.nFeatures,
    forest: {
      treeStart: Array.from(a.treeStart),
      feature: Array.from(a.feature),
      split: Array.from(a.split),
      left: Array.from(a.left),
      size: Array.from(a.size),
    },
  };
  if (f.featureNames) json.featureNames = [...f.featureNames];
  return json;
}

function fail(msg: string): never {
  throw new TypeError(`invalid isolation forest JSON: ${msg}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intArray(v: unknown, name: string): Int32Array {
  if (!Array.isArray(v)) fail(`${name} is not an array`);
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < -1 || x > 0x7fffffff) {
      fail(`${name}[${i}] is not a valid index`);
    }
    out[i] = x;
  }
  return out;
}

function floatArray(v: unknown, name: string): Float64Array {
  if (!Array.isArray(v)) fail(`${name} is not an array`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${name}[${i}] is not finite`);
    out[i] = x;
  }
  return out;
}

/** Parses and fully checks a JSON model (structure, ranges, that every tree is a tree). */
export function decodeForest(json: unknown): DecodedForest {
  const j = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  if (!isRecord(j)) fail('not an object');
  if (j.format !== FORMAT) fail(`format is not ${FORMAT}`);
  if (j.version !== FORMAT_VERSION) fail(`unsupported version ${String(j.version)}`);
  if (!isRecord(j.params)) fail('params missing');
  const params = {
    trees: j.params.trees as number,
    psi: j.params.psi as number,
    seed: j.params.seed as number,
  };
  checkParams(params);
  const { sampleSize, nFeatures } = j;
  if (typeof sampleSize !== 'number' || !Number.isInteger(sampleSize) || sampleSize < 2 || sampleSize > params.psi) {
    fail('sampleSize must be an integer in [2, psi]');
  }
  if (j.heightLimit !== heightLimitFor(sampleSize)) fail('heightLimit does not match sampleSize');
  if (typeof nFeatures !== 'number' || !Number.isInteger(nFeatures) || nFeatures < 1) {
    fail('nFeatures must be a positive integer');
  }
  const featureNames = checkFeatureNames(j.featureNames, nFeatures);
  if (!isRecord(j.forest)) fail('forest missing');

  const treeStart = intArray(j.forest.treeStart, 'treeStart');
  const feature = intArray(j.forest.feature, 'feature');
  const left = intArray(j.forest.left, 'left');
  const size = intArray(j.forest.size, 'size');
  const split = floatArray(j.forest.split, 'split');
  const n = feature.length;
  if (left.length !== n || size.length !== n || split.length !== n) fail('node arrays differ in length');
  if (treeStart.length !== params.trees + 1) fail('treeStart length is not trees + 1');
  if (treeStart[0] !== 0 || treeStart[params.trees] !== n) fail('treeStart does not cover the nodes');

  const limit = heightLimitFor(sampleSize);
  const depth = new Int32Array(n).fill(-1);
  for (let t = 0; t < params.trees; t++) {
    const start = treeStart[t]!;
    const end = treeStart[t + 1]!;
    if (end <= start) fail(`tree ${t} is empty`);
    if (size[start] !== sampleSize) fail(`tree ${t} root size is not sampleSize`);
    depth[start] = 0;
    for (let node = start; node < end; node++) {
      const d = depth[node]!;
      if (d < 0) fail(`node ${node} is unreachable`);
      const q = feature[node]!;
      if (q === -1) {
        if (left[node] !== -1) fail(`external node ${node} has a child`);
        continue;
      }
      const c = left[node]!;
      if (q >= nFeatures) fail(`node ${node} splits on feature ${q}`);
      if (d >= limit) fail(`node ${node} is below the height limit`);
      if (c <= node || c + 1 >= end) fail(`node ${node} has children outside its tree`);
      if (depth[c] !== -1 || depth[c + 1] !== -1) fail(`node ${c} has two parents`);
      if (size[c]! + size[c + 1]! !== size[node]) fail(`node ${node} sizes do not add up`);
      depth[c] = d + 1;
      depth[c + 1] = d + 1;
    }
  }
  return { params, sampleSize, nFeatures, featureNames, arrays: { treeStart, feature, split, left, size } };
}
