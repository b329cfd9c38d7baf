import { DAY_MS } from './options.js';
import { dayNo, type BookedStay } from './person-book.js';
import type { Profile, StayProfile, VisitPlan } from './plan.js';
import type { Random } from './random.js';
import type { SimInstitution } from './types.js';

/** What the planner and the injections both draw: days, profiles, nights and booked stays. */
export const CST_MS = 8 * 3_600_000;
const LEVEL_INDEX = { tertiary: 0, secondary: 1, primary: 2, none: 2 } as const;
const LEVEL_RANK = { none: 0, primary: 1, secondary: 2, tertiary: 3 } as const;

export const dayStartMs = (day: number) => day * DAY_MS - CST_MS;

export const stayOf = (p: VisitPlan): BookedStay => ({
  from: dayNo(p.start),
  to: dayNo(p.end),
  inst: p.inst.id,
  category: p.profile.diag.code.slice(0, 3),
  planned: p.profile.kind === 'inpatient' && p.profile.planned === true,
  courseLimited: p.profile.kind === 'inpatient' && p.profile.courseLimited === true,
});

export function fits(p: StayProfile, inst: SimInstitution): boolean {
  if (p.hospitalOnly && inst.type !== 'hospital') return false;
  return !p.minLevel || LEVEL_RANK[inst.level] >= LEVEL_RANK[p.minLevel];
}

export function pickProfile<P extends Profile>(rng: Random, profiles: readonly P[], inst: SimInstitution): P {
  const boost = (p: P) => (inst.behaviours.includes('extra-admissions') && ['I10', 'I69'].includes(p.diag.code.slice(0, 3)) ? 3 : 1);
  return rng.weighted(profiles, (p) => p.weight[LEVEL_INDEX[inst.level]] * boost(p));
}

export function drawNights(rng: Random, profile: StayProfile, inst: SimInstitution): number {
  return Math.min(45, Math.max(profile.minNights ?? 1, Math.round(rng.lognormal(profile.losMedian * inst.stayFactor, 0.45))));
}
