import type { AnyRule } from '../engine.js';
import { bedAbsent } from './bed-absent.js';
import { lowStandardAdmission } from './low-standard-admission.js';
import { bedEmptyDays } from './bed-empty-days.js';
import { splitStay } from './split-stay.js';
import { stayOverlap } from './stay-overlap.js';

/** Split hospitalisation, bed-hanging and overlapping stays (分解住院, 挂床, 叠床). */
export const stayRules: readonly AnyRule[] = [splitStay, bedEmptyDays, bedAbsent, stayOverlap];

/** Admissions below the standard: short stays an outpatient clinic would have treated (降低入院标准). */
export const admissionRules: readonly AnyRule[] = [lowStandardAdmission];
