import type { AnyRule } from '../engine.js';
import { splitPackage } from './package.js';

/** Split charging (分解收费). */
export const splitChargingRules: readonly AnyRule[] = [splitPackage];
