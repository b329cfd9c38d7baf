import type { AnyRule } from '../engine.js';
import { diagnosisAge } from './age.js';
import { injuryUndeclared } from './injury.js';
import { diagnosisSex } from './sex.js';

/** Diagnoses that contradict the person's sex or age (possible impersonation). */
export const diagnosisConflictRules: readonly AnyRule[] = [diagnosisSex, diagnosisAge];
/** Injuries the fund pays without a declaration that no third party is liable. */
export const injuryRules: readonly AnyRule[] = [injuryUndeclared];
