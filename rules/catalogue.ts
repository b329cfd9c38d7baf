import { duplicateSameLine } from './duplicate/same-line.js';
import type { AnyRule } from './engine.js';
import { priceAboveCeiling } from './price/above-ceiling.js';

/** The rule catalogue: every rule the service knows, one file each, in evaluation order. */
export const catalogue: readonly AnyRule[] = [duplicateSameLine, priceAboveCeiling];
