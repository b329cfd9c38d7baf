import type { AnyRule } from '../engine.js';

/** Item substitution (串换). */
export const substitutionRules: readonly AnyRule[] = [];
