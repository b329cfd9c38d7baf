import { DRUGS } from './catalogue-drugs.js';
import { LABS, SERVICES } from './catalogue-services.js';
import { cstDay, type DraftClaim } from './draft.js';
import type { PlanLabel } from './plan.js';

/**
 * Turns a truth decided at planning into line ids once the claim's lines exist. A label on a
 * whole visit (a copy, a readmission) names every line; the others name the lines that show it.
 */
/** the claim's lines of each drug with a daily dose, and the days they supply (quantity × pack ÷ dose) */
function dosedLines(d: DraftClaim) {
  const byCode = new Map<string, { lines: string[]; days: number }>();
  for (const l of d.lines) {
    const r = l.item.restrictions;
    if (r?.dailyDose === undefined || r.packUnits === undefined) continue;
    const e = byCode.get(l.item.code) ?? { lines: [], days: 0 };
    e.lines.push(l.lineId);
    e.days += ((l.quantity / 10_000) * r.packUnits) / r.dailyDose;
    byCode.set(l.item.code, e);
  }
  return [...byCode.values()];
}

export function resolveLabel(d: DraftClaim, label: PlanLabel) {
  const all = () => d.lines.map((l) => l.lineId);
  switch (label.variant) {
    case 'resubmitted': {
      d.label({ family: 'duplicate', variant: label.variant, lines: all(), otherClaims: [label.other] });
      // A stay sent twice is also, to the letter, a second stay over the same nights.
      if (d.plan.kind === 'inpatient') d.label({ family: 'overlapping-stay', variant: label.variant, lines: all(), otherClaims: [label.other] });
      // A copy of a test limited to once a cycle (HbA1c) is also that test a second time inside its cycle.
      const cycled = d.lines.filter((l) => l.item.restrictions?.timesPerCycle !== undefined).map((l) => l.lineId);
      if (cycled.length > 0) d.label({ family: 'quantity', variant: 'times-per-cycle', lines: cycled, otherClaims: [label.other] });
      return;
    }
    case 'over-supply':
      d.label({ family: 'over-supply', variant: label.variant, lines: dosedLines(d).flatMap((t) => t.lines), otherClaims: [label.other] });
      return;
    case 'multi-pharmacy':
      d.label({ family: 'over-supply', variant: label.variant, lines: dosedLines(d).flatMap((t) => t.lines), otherClaims: label.others });
      return;
    case 'readmission':
      d.label({ family: 'split-stay', variant: label.variant, lines: all(), otherClaims: [label.other] });
      return;
    case 'exam-repeat': {
      const exams = d.lines.filter((l) => l.item === d.plan.exam).map((l) => l.lineId);
      d.label({ family: 'exam-repeat', variant: label.variant, lines: exams, otherClaims: [label.other] });
      return;
    }
    case 'travel-impossible':
      d.label({ family: 'impersonation', variant: label.variant, lines: all(), otherClaims: [label.other] });
      return;
    case 'low-standard-admission':
      d.label({ family: 'induced-admission', variant: label.variant, lines: all() });
      return;
    case 'card-burst':
      d.label({ family: 'card-burst', variant: label.variant, lines: all() });
      return;
    case 'doctor-overload':
      d.label({ family: 'doctor-capacity', variant: label.variant, lines: all() });
      return;
    case 'ghost-stays':
      // the stays past the beds are labelled as they arrive, made up or not (sim/census.ts)
      return;
    case 'admission-cluster':
      // each stay of a cluster is also, alone, a low-standard admission
      d.label({ family: 'admission-cluster', variant: label.variant, lines: all() });
      d.label({ family: 'induced-admission', variant: label.variant, lines: all() });
      return;
    case 'times-per-cycle': {
      const tests = d.lines.filter((l) => l.item === LABS.hba1c).map((l) => l.lineId);
      d.label({ family: 'quantity', variant: label.variant, lines: tests, otherClaims: [label.other] });
      return;
    }
    case 'visit-during-stay': {
      // The bed billed for the day the patient was seen elsewhere is the charge at issue.
      const beds = d.lines.filter((l) => l.item.category === 'bed' && cstDay(l.at) === label.day).map((l) => l.lineId);
      d.label({ family: 'bed-hanging', variant: label.variant, lines: beds, otherClaims: [label.other] });
      return;
    }
    case 'overlap': {
      const inside = d.lines.filter((l) => l.at >= label.from && l.at < label.to).map((l) => l.lineId);
      d.label({ family: 'overlapping-stay', variant: label.variant, lines: inside, otherClaims: [label.other] });
      return;
    }
    case 'empty-days': {
      const empty = d.lines.filter((l) => l.at >= label.from && l.item.category === 'bed').map((l) => l.lineId);
      d.label({ family: 'bed-hanging', variant: label.variant, lines: empty });
      return;
    }
    case 'course-length': {
      // The drug's paid course is 14 days; the stay goes on giving it.
      const treated = d.plan.nights - d.plan.emptyNights;
      const extra = [];
      for (let k = 14; k < treated; k++) {
        extra.push(d.add(DRUGS.ginkgoDipyridamole, d.at(k, 9, 30), 1));
        d.add(DRUGS.saline, d.at(k, 9, 30), 1);
        d.add(SERVICES.infusion, d.at(k, 9, 30), 1);
      }
      d.label({ family: 'quantity', variant: label.variant, lines: extra.map((l) => l.lineId) });
      return;
    }
  }
}
