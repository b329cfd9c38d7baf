import type { AnyRule } from '../engine.js';

/** Split charging (分解收费). */
export const splitChargingRules: readonly AnyRule[] = [];
