import type { AnyRule } from '../engine.js';

/** Split hospitalisation, bed-hanging and overlapping stays (分解住院, 挂床, 叠床). */
export const stayRules: readonly AnyRule[] = [];
