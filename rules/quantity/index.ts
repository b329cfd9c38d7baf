import type { AnyRule } from '../engine.js';
import { quantityCourse } from './course.js';
import { quantityCycle } from './cycle.js';
import { quantityDaysSupply } from './days-supply.js';

/** Quantity and course (超量). */
export const quantityRules: readonly AnyRule[] = [quantityDaysSupply, quantityCycle, quantityCourse];
