import { SERVICES } from './catalogue-services.js';
import { cstDay, DraftClaim } from './draft.js';
import { LINE_INJECTORS } from './inject-lines.js';
import type { StayProfile, VisitPlan, VisitProfile } from './plan.js';
import { resolveLabel } from './resolve-labels.js';
import { variantSpec, type VariantChooser } from './variants.js';

/**
 * Builds a planned visit into a claim draft: its lines, the truths its plan carries, a
 * line-level injection if the plan drew one, and the lines billed while the institution's
 * designation had lapsed.
 */
export function materialize(plan: VisitPlan, seed: number | string, chooser: VariantChooser): DraftClaim {
  const d = new DraftClaim(plan, seed);
  if (plan.kind === 'inpatient') buildStay(d);
  else buildVisit(d);
  for (const label of plan.labels) resolveLabel(d, label);
  if (plan.lineInjection) injectLine(d, chooser);
  labelLapsedDesignation(d);
  return d;
}

function buildVisit(d: DraftClaim) {
  if (d.plan.kind === 'outpatient') d.add(SERVICES.outpatientVisit, d.plan.start);
  (d.plan.profile as VisitProfile).build(d);
  if (d.plan.exam) d.add(d.plan.exam, d.plan.start + 25 * 60_000);
}

const HEATED_MONTHS = new Set(['12', '01', '02']);
const COOLED_MONTHS = new Set(['07', '08']);

function buildStay(d: DraftClaim) {
  const profile = d.plan.profile as StayProfile;
  const treated = d.plan.nights - d.plan.emptyNights;
  const intensive = profile.intensiveDays?.(d) ?? 0;
  for (let k = 0; k < d.plan.nights; k++) {
    const at = d.at(k, 8);
    d.add(profile.monitored && k < intensive ? SERVICES.monitorBed : SERVICES.wardBed, at);
    const month = cstDay(at).slice(5, 7);
    if (HEATED_MONTHS.has(month)) d.add(SERVICES.heating, at);
    if (COOLED_MONTHS.has(month)) d.add(SERVICES.cooling, at);
    // Nights past `treated` are the hung bed: nothing but the bed is billed.
    if (k >= treated) continue;
    d.add(k < intensive ? SERVICES.nursing1 : SERVICES.nursing2, d.at(k, 8, 5));
    d.add(SERVICES.inpatientVisit, d.at(k, 8, 10));
    profile.day(d, k, treated);
  }
  profile.discharge?.(d, d.plan.end - 30 * 60_000);
}

function injectLine(d: DraftClaim, chooser: VariantChooser) {
  const applicable = LINE_INJECTORS.filter((i) => variantSpec(i.variant).kinds.includes(d.plan.kind) && i.applies(d));
  const spec = chooser.choose(
    d.rng,
    applicable.map((i) => variantSpec(i.variant)),
    d.inst,
  );
  if (!spec) return;
  LINE_INJECTORS.find((i) => i.variant === spec.variant)?.apply(d);
  chooser.record(spec.variant);
}

function labelLapsedDesignation(d: DraftClaim) {
  const lapse = d.inst.suspended;
  if (!lapse) return;
  const lines = d.lines.filter((l) => cstDay(l.at) >= lapse.from && cstDay(l.at) <= lapse.to);
  if (lines.length === 0) return;
  d.label({ family: 'non-designated', variant: 'suspended', lines: lines.map((l) => l.lineId) });
}
