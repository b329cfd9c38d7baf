import type { AnyRule } from '../engine.js';

/** Restriction conflicts: sex, age, care setting, institution level. */
export const restrictionRules: readonly AnyRule[] = [];
