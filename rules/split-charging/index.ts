import type { AnyRule } from '../engine.js';
import { splitPackage } from './package.js';
import { splitPartsApart } from './parts-apart.js';

/** Split charging (分解收费). */
export const splitChargingRules: readonly AnyRule[] = [splitPackage, splitPartsApart];
