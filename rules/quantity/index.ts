import type { AnyRule } from '../engine.js';

/** Quantity and course (超量). */
export const quantityRules: readonly AnyRule[] = [];
