/**
 * Growing isolation trees (Liu, Ting and Zhou, ICDM 2008, Algorithms 1 and 2) into flat
 * typed arrays. All trees of a forest share one set of arrays; tree t occupies the node range
 * [treeStart[t], treeStart[t + 1]) and its root is treeStart[t]. The two children of an
 * internal node are stored next to each other, so only the left child index is kept and the
 * right child is left + 1. Children always come after their parent.
 */
import type { DenseMatrix } from './matrix.js';
import type { Xoshiro128ss } from './prng.js';

export interface ForestArrays {
  /** Length trees + 1: node range of each tree. */
  readonly treeStart: Int32Array;
  /** Split attribute q of an internal node; −1 marks an external node. */
  readonly feature: Int32Array;
  /** Split value p of an internal node (x goes left iff x[q] < p); 0 at external nodes. */
  readonly split: Float64Array;
  /** Index of the left child (right child = left + 1); −1 at external nodes. */
  readonly left: Int32Array;
  /** Number of training (subsample) points that reached the node; Size at external nodes. */
  readonly size: Int32Array;
}

/** Height limit l = ceil(log2 ψ) (Algorithm 1). */
export function heightLimitFor(sampleSize: number): number {
  return Math.ceil(Math.log2(sampleSize));
}

/** Node storage that doubles when full. */
class NodeBuffer {
  count = 0;
  feature: Int32Array;
  split: Float64Array;
  left: Int32Array;
  size: Int32Array;

  constructor(capacity: number) {
    this.feature = new Int32Array(capacity);
    this.split = new Float64Array(capacity);
    this.left = new Int32Array(capacity);
    this.size = new Int32Array(capacity);
  }

  /** Reserves k consecutive nodes and returns the first index. */
  alloc(k: number): number {
    const first = this.count;
    if (first + k > this.feature.length) this.grow(Math.max(first + k, 2 * this.feature.length));
    this.count += k;
    return first;
  }

  private grow(capacity: number): void {
    const feature = new Int32Array(capacity);
    feature.set(this.feature);
    this.feature = feature;
    const split = new Float64Array(capacity);
    split.set(this.split);
    this.split = split;
    const left = new Int32Array(capacity);
    left.set(this.left);
    this.left = left;
    const size = new Int32Array(capacity);
    size.set(this.size);
    this.size = size;
  }
}

/**
 * ψ distinct row indices drawn uniformly without replacement from [0, n) by Floyd's
 * algorithm: O(ψ) time and memory whatever n is, so nothing proportional to the training set
 * is allocated. When ψ = n every row is taken.
 */
export function sampleIndices(n: number, psi: number, rng: Xoshiro128ss, out: Int32Array): void {
  if (psi === n) {
    for (let i = 0; i < n; i++) out[i] = i;
    return;
  }
  const chosen = new Set<number>();
  let k = 0;
  for (let j = n - psi; j < n; j++) {
    const t = rng.nextInt(j + 1);
    const pick = chosen.has(t) ? j : t;
    chosen.add(pick);
    out[k++] = pick;
  }
}

/**
 * Algorithm 1: t trees, each grown (Algorithm 2) on its own subsample of ψ rows with height
 * limit ceil(log2 ψ). `sampleSize` must already be min(ψ, n).
 */
export function growForest(x: DenseMatrix, trees: number, sampleSize: number, rng: Xoshiro128ss): ForestArrays {
  const { data, cols, rows } = x;
  const limit = heightLimitFor(sampleSize);
  const nodes = new NodeBuffer(trees * Math.min(2 * sampleSize, 2 ** (limit + 1)));
  const idx = new Int32Array(sampleSize);
  const treeStart = new Int32Array(trees + 1);

  // Algorithm 2, iTree(X, e, l), writing node `node` for the sample idx[lo..hi) at depth e.
  const grow = (node: number, lo: number, hi: number, depth: number): void => {
    const n = hi - lo;
    nodes.size[node] = n;
    if (depth >= limit || n <= 1) {
      nodes.feature[node] = -1;
      nodes.left[node] = -1;
      return;
    }
    // Random attribute q among all attributes, random split p between min and max of q
    // in this node's data. A constant attribute gives p = min, an empty left child and
    // the whole node on the right, exactly as in the paper's algorithm.
    const q = rng.nextInt(cols);
    let min = Infinity;
    let max = -Infinity;
    for (let i = lo; i < hi; i++) {
      const v = data[idx[i]! * cols + q]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const u = rng.nextFloat();
    const range = max - min;
    const p = Number.isFinite(range) ? min + u * range : (1 - u) * min + u * max;
    // Partition in place: x[q] < p to the left, x[q] ≥ p to the right.
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      const r = idx[i]!;
      if (data[r * cols + q]! < p) {
        i++;
      } else {
        idx[i] = idx[j]!;
        idx[j] = r;
        j--;
      }
    }
    const child = nodes.alloc(2);
    nodes.feature[node] = q;
    nodes.split[node] = p;
    nodes.left[node] = child;
    grow(child, lo, i, depth + 1);
    grow(child + 1, i, hi, depth + 1);
  };

  for (let t = 0; t < trees; t++) {
    sampleIndices(rows, sampleSize, rng, idx);
    const root = nodes.alloc(1);
    treeStart[t] = root;
    grow(root, 0, sampleSize, 0);
  }
  treeStart[trees] = nodes.count;

  const n = nodes.count;
  return {
    treeStart,
    feature: nodes.feature.slice(0, n),
    split: nodes.split.slice(0, n),
    left: nodes.left.slice(0, n),
    size: nodes.size.slice(0, n),
  };
}
