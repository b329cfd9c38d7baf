export { IsolationForest, DEFAULT_PSI, DEFAULT_SEED, DEFAULT_TREES, type IsolationForestOptions } from './forest.js';
export { FORMAT, FORMAT_VERSION, type IsolationForestJSON, type IsolationForestParams } from './serialize.js';
export { averagePathLength, harmonic, EULER_GAMMA } from './path-length.js';
export { Xoshiro128ss } from './prng.js';
export type { MatrixInput, RowMajorMatrix } from './matrix.js';
