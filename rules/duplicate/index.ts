import type { AnyRule } from '../engine.js';
import { duplicateIncludedItem } from './included-item.js';
import { duplicateResubmittedVisit } from './resubmitted-visit.js';
import { duplicateSameLine } from './same-line.js';
import { duplicateUnitsPerDay } from './units-per-day.js';

/** Duplicate charging (重复收费). */
export const duplicateRules: readonly AnyRule[] = [duplicateSameLine, duplicateIncludedItem, duplicateUnitsPerDay, duplicateResubmittedVisit];
