import type { AnyRule } from '../engine.js';
import { supplyMultiPharmacy } from './multi-pharmacy.js';
import { rxOnly } from './rx-only.js';
import { supplyRolling } from './rolling.js';

/** Pharmacy over-supply and reselling (超量开药/倒卖), and prescription-only drugs sold without a prescription. */
export const supplyRules: readonly AnyRule[] = [supplyRolling, supplyMultiPharmacy, rxOnly];
