import type { AnyRule } from '../engine.js';
import { ageRestriction } from './age.js';
import { careSettingRestriction } from './care-setting.js';
import { institutionLevelRestriction } from './institution-level.js';
import { sexRestriction } from './sex.js';

/** Restriction conflicts: sex, age, care setting, institution level. */
export const restrictionRules: readonly AnyRule[] = [sexRestriction, ageRestriction, careSettingRestriction, institutionLevelRestriction];
