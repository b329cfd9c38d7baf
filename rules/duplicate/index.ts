import type { AnyRule } from '../engine.js';
import { duplicateSameLine } from './same-line.js';

/** Duplicate charging (重复收费). */
export const duplicateRules: readonly AnyRule[] = [duplicateSameLine];
