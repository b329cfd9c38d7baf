import type { AnyRule } from '../engine.js';
import { personDeceased, personNotEnrolled } from './status.js';

/** The person register against the claim: care after death, care outside enrolment. */
export const personStatusRules: readonly AnyRule[] = [personDeceased, personNotEnrolled];
