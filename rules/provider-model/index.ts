import type { AnyRule } from '../engine.js';
import { providerOutlier } from './outlier.js';

export const providerModelRules: AnyRule[] = [providerOutlier];
