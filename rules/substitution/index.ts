import type { AnyRule } from '../engine.js';
import { lookalike } from './lookalike.js';
import { lookalikePurchase } from './lookalike-purchase.js';
import { nameMismatch } from './name-mismatch.js';
import { stockShortage } from './stock-shortage.js';

/** Item substitution (串换). */
export const substitutionRules: readonly AnyRule[] = [stockShortage, nameMismatch, lookalike, lookalikePurchase];
