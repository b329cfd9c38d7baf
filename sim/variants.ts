import type { Family } from '../rules/engine.js';
import type { Random } from './random.js';
import type { SimInstitution, VisitKind } from './types.js';

/**
 * Every kind of violation the simulator injects. `plan` variants shape the visits themselves
 * (a copy, a readmission, a longer stay); `line` variants change the lines of one claim when it
 * is built; `auto` variants follow from the world (a lapsed designation, a short stock).
 * Weights follow who commits what in the brief: pharmacies sell goods under drug codes and
 * over-supply, grassroots and private institutions hang beds, public hospitals split and overcharge.
 */
export interface VariantSpec {
  family: Family;
  variant: string;
  level: 'plan' | 'line' | 'auto';
  kinds: readonly VisitKind[];
  /** weight at a pharmacy, a clinic, a public hospital, a private hospital */
  weight: readonly [number, number, number, number];
}

const ALL: readonly VisitKind[] = ['outpatient', 'inpatient', 'pharmacy'];
const IN: readonly VisitKind[] = ['inpatient'];
const OUT: readonly VisitKind[] = ['outpatient', 'pharmacy'];
/** visits a doctor diagnoses (a pharmacy purchase only repeats a prescription's diagnosis, if any) */
const SEEN: readonly VisitKind[] = ['outpatient', 'inpatient'];
const v = (family: Family, variant: string, level: VariantSpec['level'], kinds: readonly VisitKind[], weight: VariantSpec['weight']): VariantSpec => ({ family, variant, level, kinds, weight });

export const VARIANTS: readonly VariantSpec[] = [
  v('duplicate', 'same-line', 'line', ALL, [1, 1, 3, 2]),
  v('duplicate', 'includes-within-window', 'line', ALL, [1, 1, 3, 2]),
  v('duplicate', 'units-per-day', 'line', IN, [1, 1, 2, 2]),
  v('duplicate', 'resubmitted', 'plan', ALL, [1, 1, 1, 2]),
  v('split-charging', 'parts-separately', 'line', ALL, [1, 1, 3, 1]),
  v('split-charging', 'part-beside-package', 'line', ALL, [1, 1, 2, 1]),
  v('split-stay', 'readmission', 'plan', IN, [1, 2, 1, 4]),
  v('bed-hanging', 'empty-days', 'plan', IN, [1, 4, 1, 4]),
  v('bed-hanging', 'visit-during-stay', 'plan', IN, [1, 3, 1, 3]),
  v('overlapping-stay', 'overlap', 'plan', IN, [1, 2, 1, 3]),
  v('substitution', 'name-mismatch', 'line', ALL, [5, 2, 1, 2]),
  v('substitution', 'dearer-look-alike', 'line', ALL, [2, 3, 2, 2]),
  v('substitution', 'stock-shortage', 'auto', ALL, [1, 1, 1, 1]),
  v('price', 'above-ceiling', 'line', ALL, [2, 1, 3, 2]),
  v('quantity', 'days-of-supply', 'line', ALL, [4, 2, 1, 1]),
  v('quantity', 'times-per-cycle', 'plan', ['outpatient'], [1, 1, 1, 1]),
  v('quantity', 'course-length', 'plan', IN, [1, 1, 1, 1]),
  v('restriction', 'sex', 'line', OUT, [1, 1, 1, 1]),
  v('restriction', 'age', 'line', OUT, [1, 1, 1, 1]),
  v('restriction', 'care-setting', 'line', OUT, [1, 1, 1, 1]),
  v('restriction', 'institution-level', 'line', ALL, [2, 2, 1, 1]),
  v('non-designated', 'suspended', 'auto', ALL, [1, 1, 1, 1]),
  v('unlisted-code', 'made-up-code', 'line', ALL, [2, 2, 1, 2]),
  v('diagnosis-conflict', 'diagnosis-sex', 'line', SEEN, [1, 1, 1, 1]),
  v('diagnosis-conflict', 'diagnosis-age', 'line', SEEN, [1, 1, 1, 1]),
  v('injury-liability', 'injury-undeclared', 'line', SEEN, [2, 2, 2, 2]),
  v('injury-liability', 'third-party-liable', 'line', SEEN, [1, 1, 1, 1]),
  v('induced-admission', 'low-standard-admission', 'plan', IN, [1, 3, 1, 4]),
  v('person-status', 'after-death', 'line', ALL, [1, 1, 1, 1]),
  v('person-status', 'not-enrolled', 'line', ALL, [1, 1, 1, 1]),
  v('indication', 'no-indication', 'line', SEEN, [1, 2, 1, 2]),
  v('zero-markup', 'drug-markup', 'line', ALL, [0, 2, 2, 0]),
  v('exam-repeat', 'exam-repeat', 'plan', ['outpatient'], [0, 0, 2, 2]),
  v('impersonation', 'travel-impossible', 'plan', OUT, [1, 1, 1, 1]),
  v('service-scope', 'out-of-scope', 'line', OUT, [2, 2, 0, 0]),
  v('card-burst', 'card-burst', 'plan', ['pharmacy'], [2, 0, 0, 0]),
  v('doctor-capacity', 'doctor-overload', 'plan', ['outpatient'], [0, 1, 1, 1]),
  v('admission-cluster', 'admission-cluster', 'plan', IN, [0, 1, 0, 2]),
  v('bed-census', 'ghost-stays', 'plan', IN, [0, 1, 0, 1]),
  v('over-supply', 'over-supply', 'plan', ['pharmacy'], [5, 0, 0, 0]),
  v('over-supply', 'multi-pharmacy', 'plan', ['pharmacy'], [3, 0, 0, 0]),
  v('rx-only', 'no-prescription', 'line', ['pharmacy'], [3, 0, 0, 0]),
  v('substitution', 'lookalike-purchase', 'line', ['pharmacy'], [2, 0, 0, 0]),
];

export const variantSpec = (variant: string) => VARIANTS.find((s) => s.variant === variant) as VariantSpec;

export function weightAt(spec: VariantSpec, inst: SimInstitution): number {
  const [pharmacy, clinic, publicHospital, privateHospital] = spec.weight;
  let w = inst.type === 'pharmacy' ? pharmacy : inst.type === 'clinic' ? clinic : inst.ownership === 'public' ? publicHospital : privateHospital;
  if (spec.variant === 'readmission' && inst.behaviours.includes('readmissions')) w *= 5;
  return w * (inst.familyWeights?.[spec.family] ?? 1);
}

/**
 * Picks among the variants that apply, weighted, but a variant never injected yet goes first:
 * even a small run then shows every kind of violation at least once.
 */
export class VariantChooser {
  private readonly counts = new Map<string, number>();

  choose(rng: Random, candidates: readonly VariantSpec[], inst: SimInstitution): VariantSpec | undefined {
    if (candidates.length === 0) return undefined;
    // the unseen ones first, among those this institution can have (weight above 0)
    const unseen = candidates.filter((c) => !this.counts.get(c.variant) && weightAt(c, inst) > 0);
    const pool = unseen.length > 0 ? unseen : candidates.filter((c) => weightAt(c, inst) > 0);
    return pool.length > 0 ? rng.weighted(pool, (c) => weightAt(c, inst)) : undefined;
  }

  /**
   * At planning: a plan-level variant, or 'line' to draw a line-level one when the claim is built.
   * While some variant is still unseen, only unseen ones (or 'line' if a line variant is unseen) compete.
   */
  chooseAtPlanning(rng: Random, planCandidates: readonly VariantSpec[], lineSpecs: readonly VariantSpec[], inst: SimInstitution): VariantSpec | 'line' | undefined {
    // only variants this institution can have (weight above 0) compete, unseen ones first
    const unseenPlan = planCandidates.filter((c) => !this.seen(c.variant) && weightAt(c, inst) > 0);
    const unseenLine = lineSpecs.filter((c) => !this.seen(c.variant) && weightAt(c, inst) > 0);
    const covering = unseenPlan.length > 0 || unseenLine.length > 0;
    const plans = covering ? unseenPlan : planCandidates;
    const lines = covering ? unseenLine : lineSpecs;
    const options: (VariantSpec | 'line')[] = [...plans, ...(lines.length > 0 ? (['line'] as const) : [])];
    const lineWeight = lines.reduce((sum, s) => sum + weightAt(s, inst), 0);
    if (!options.some((o) => (o === 'line' ? lineWeight : weightAt(o, inst)) > 0)) return undefined;
    return rng.weighted(options, (o) => (o === 'line' ? lineWeight : weightAt(o, inst)));
  }

  record(variant: string) {
    this.counts.set(variant, (this.counts.get(variant) ?? 0) + 1);
  }

  seen(variant: string): boolean {
    return (this.counts.get(variant) ?? 0) > 0;
  }
}
