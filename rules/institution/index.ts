import type { AnyRule } from '../engine.js';
import { admissionCluster } from './admission-cluster.js';
import { bedCensus } from './bed-census.js';
import { cardBurst } from './card-burst.js';
import { doctorCapacity } from './doctor-capacity.js';

/**
 * Rules over the institution window (./window.ts): card bursts (盗刷/连续刷卡), a doctor's day and
 * the beds (虚构医疗服务), clusters of induced admissions (诱导住院).
 */
export const institutionWindowRules: readonly AnyRule[] = [cardBurst, doctorCapacity, bedCensus, admissionCluster];
