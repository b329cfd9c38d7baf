import type { AnyRule } from './engine.js';

/**
 * The rule catalogue. Rules are added one per file by the rule-catalogue work; with none, every
 * claim is answered "pass" with its full amount payable.
 */
export const catalogue: readonly AnyRule[] = [];
