import type { ExamRecognitionRecord, ServiceScopeRecord } from '../src/reference/reference.schema.js';
import { CATALOGUE_VALID_FROM } from './catalogue.js';
import { OPERATIONS, SERVICES } from './catalogue-services.js';
import { RECOGNISED, RECOGNITION_WINDOW_DAYS } from './catalogue-recognised.js';
import type { DraftClaim } from './draft.js';
import { dayNo, type PersonBook } from './person-book.js';
import { refOf, type VisitPlan, type VisitProfile } from './plan.js';
import { dayStartMs, pickProfile } from './plan-draw.js';
import { ageYears } from './population.js';
import { OUTPATIENT } from './profiles-outpatient.js';
import { PHARMACY } from './profiles-pharmacy.js';
import { derive, hash32, type Random } from './random.js';
import type { DraftLine, Person, SimInstitution } from './types.js';
import type { World } from './world.js';

/** What these injections need of the planner (the members of plan-injections.ts's Planning they use; no import, no cycle). */
interface Planning {
  readonly book: PersonBook;
  readonly world: World;
  newPlan(rng: Random, f: Pick<VisitPlan, 'kind' | 'inst' | 'person' | 'profile' | 'start' | 'end'>): VisitPlan;
  onTime(rng: Random, plan: VisitPlan): void;
  inPeriod(plan: VisitPlan): boolean;
}

/**
 * Issue 19's patterns over one person's history across institutions, and the service scope:
 * - `exam-repeat`: a recognised exam (an MRI, a CEA test) at one hospital, and the same exam at
 *   another within its window (检查检验结果互认); the repeat is labelled;
 * - `travel-impossible`: a visit or purchase in another county 10 to 45 minutes after one in the
 *   first (冒名就医: the card in two places at once); the later one is labelled;
 * - `out-of-scope`: a pharmacy billing a bed day or an injection, a clinic without beds billing an
 *   operation (超出服务范围).
 * Look-alikes, drawn by hash in every world (the clean month too): the same CEA test at another
 * hospital after its 7-day window, an MRI repeated at the same hospital (its own follow-up), and a
 * second visit or purchase the same hour in the same county.
 */
const MINUTE = 60_000;
const DAY = 86_400_000;
const isHospital = (i: SimInstitution) => i.type === 'hospital' && i.level !== 'primary' && i.outpatientPerDay > 0;
/** diagnoses that excuse a repeat (a changed condition: EXAM-REPEAT's default) or mark a newborn (TRAVEL-IMPOSSIBLE's) */
const excused = (p: VisitProfile) => /^(I6[0-4]|S06|P\d\d|Z38)/.test(p.diag.code);

const compatible = (profiles: readonly VisitProfile[], person: Person, at: number) =>
  profiles.filter((p) => {
    const age = ageYears(person.birthDate, at);
    return age >= p.ages[0] && age <= p.ages[1] && (p.sex === undefined || p.sex === person.sex) && !excused(p);
  });

/** a visit of the person at the institution at the time, or undefined when none can be placed */
function companion(planner: Planning, rng: Random, base: VisitPlan, inst: SimInstitution, at: number, kind: 'outpatient' | 'pharmacy', travel = false): VisitPlan | undefined {
  const { book } = planner;
  // a chronic month's supply only where the person's collections stay a month apart, as every visit's
  const dispensing = book.canDispense(base.person.index, dayNo(at));
  const profiles = compatible(kind === 'pharmacy' ? PHARMACY : OUTPATIENT, base.person, at).filter((p) => dispensing || !p.chronic);
  if (profiles.length === 0 || !book.canVisit(base.person.index, dayNo(at))) return undefined;
  // the impostor's visit is in another area than the holder's by design; every other companion keeps to where the person can be
  if (!travel ? !book.canBeAt(base.person.index, at, inst.area) : !book.canBeAt(base.person.index, at, base.inst.area)) return undefined;
  const visit = planner.newPlan(rng, { kind, inst, person: base.person, profile: pickProfile(rng, profiles, inst), start: at, end: at });
  if (!planner.inPeriod(visit)) return undefined;
  book.addPlace(base.person.index, at, inst.area);
  if ((visit.profile as VisitProfile).chronic) book.addDispense(base.person.index, dayNo(at));
  return visit;
}

export function historyApplies(planner: Planning, plan: VisitPlan, variant: string): boolean {
  if (variant === 'exam-repeat')
    return plan.kind === 'outpatient' && isHospital(plan.inst) && !excused(plan.profile as VisitProfile) && planner.world.institutions.some((i) => i !== plan.inst && isHospital(i));
  if (variant === 'travel-impossible')
    return plan.kind !== 'inpatient' && !excused(plan.profile as VisitProfile) && planner.world.institutions.some((i) => i.area !== plan.inst.area && (i.outpatientPerDay > 0 || i.pharmacyPerDay > 0));
  return false;
}

export function applyHistoryVariant(planner: Planning, rng: Random, base: VisitPlan, variant: string): { emit: VisitPlan[]; commit(): void } | undefined {
  if (variant === 'exam-repeat') {
    const exam = rng.chance(0.5) ? RECOGNISED.mri : RECOGNISED.cea;
    const window = RECOGNITION_WINDOW_DAYS.get(exam.code) as number;
    const day = dayNo(base.start) + rng.int(1, window);
    const at = dayStartMs(day) + rng.int(8 * 60, 16 * 60) * MINUTE;
    const inst = rng.pick(planner.world.institutions.filter((i) => i !== base.inst && isHospital(i)));
    const again = companion(planner, rng, base, inst, at, 'outpatient');
    if (!again) return undefined;
    base.exam = again.exam = exam;
    planner.onTime(rng, base);
    planner.onTime(rng, again);
    again.labels.push({ variant, other: refOf(base) });
    return { emit: [again], commit: () => planner.book.addVisit(base.person.index, day) };
  }
  if (variant === 'travel-impossible') {
    const at = base.start + rng.int(10, 45) * MINUTE;
    const kind = rng.chance(0.5) ? 'pharmacy' : 'outpatient';
    const sites = planner.world.institutions.filter((i) => i.area !== base.inst.area && (kind === 'pharmacy' ? i.pharmacyPerDay : i.outpatientPerDay) > 0);
    if (sites.length === 0) return undefined;
    const later = companion(planner, rng, base, rng.pick(sites), at, kind, true);
    if (!later) return undefined;
    planner.onTime(rng, base);
    planner.onTime(rng, later);
    later.labels.push({ variant, other: refOf(base) });
    return { emit: [later], commit: () => planner.book.addVisit(base.person.index, dayNo(at)) };
  }
  return undefined;
}

/**
 * The clean look-alikes of a planned visit, drawn by hash of its claim id (so the main draws stay
 * as they were): about 1 in 150 outpatient visits at a hospital has a CEA test repeated at another
 * hospital 8 to 12 days later, or an MRI repeated at the same hospital within its window; about 1
 * in 100 visits or purchases has another the same hour in the same county.
 */
export function historyLookAlikes(planner: Planning, plan: VisitPlan): VisitPlan[] {
  if (plan.kind === 'inpatient' || plan.labels.length > 0 || excused(plan.profile as VisitProfile)) return [];
  const h = hash32(`${plan.claimId}|history-look-alike`);
  const rng = derive(planner.world.seed, 'history-look-alike', plan.claimId);
  const out: VisitPlan[] = [];
  if (h % 150 === 0 && plan.kind === 'outpatient' && isHospital(plan.inst) && plan.exam === undefined) {
    const sameHospital = rng.chance(0.5);
    const exam = sameHospital ? RECOGNISED.mri : RECOGNISED.cea;
    const days = sameHospital ? rng.int(3, 25) : rng.int(8, 12);
    const others = planner.world.institutions.filter((i) => i !== plan.inst && isHospital(i));
    const inst = sameHospital ? plan.inst : others.length > 0 ? rng.pick(others) : undefined;
    const day = dayNo(plan.start) + days;
    const again = inst ? companion(planner, rng, plan, inst, dayStartMs(day) + rng.int(8 * 60, 16 * 60) * MINUTE, 'outpatient') : undefined;
    if (again) {
      plan.exam = again.exam = exam;
      planner.book.addVisit(plan.person.index, day);
      out.push(again);
    }
  } else if (h % 100 === 1) {
    const kind = rng.chance(0.5) ? 'pharmacy' : 'outpatient';
    const sites = planner.world.institutions.filter((i) => i !== plan.inst && i.area === plan.inst.area && (kind === 'pharmacy' ? i.pharmacyPerDay : i.outpatientPerDay) > 0);
    const at = plan.start + rng.int(10, 45) * MINUTE;
    const next = sites.length > 0 ? companion(planner, rng, plan, rng.pick(sites), at, kind) : undefined;
    if (next && at - plan.start < DAY) {
      planner.book.addVisit(plan.person.index, dayNo(at));
      out.push(next);
    }
  }
  return out;
}

/** what an institution may bill under its agreement (reference kind service-scopes): pharmacies and clinics without beds */
export function scopeOf(inst: SimInstitution): Pick<ServiceScopeRecord, 'categories' | 'visitTypes'> | undefined {
  if (inst.type === 'pharmacy') return { categories: ['drug', 'consumable'], visitTypes: ['pharmacy'] };
  if (inst.type === 'clinic' && inst.beds === 0) return { categories: ['drug', 'consumable', 'service', 'exam', 'lab'], visitTypes: ['outpatient'] };
  return undefined;
}

export const outOfScope = (d: DraftClaim, l: DraftLine) => {
  const s = scopeOf(d.inst);
  return s !== undefined && !s.categories.includes(l.item.category);
};

export function scopeRecords(institutions: readonly SimInstitution[]): ServiceScopeRecord[] {
  return institutions.flatMap((i) => {
    const s = scopeOf(i);
    return s ? [{ institutionId: i.id, ...s, departments: [], source: 'sim-agreements', validFrom: i.designatedFrom }] : [];
  });
}

export function recognitionRecords(): ExamRecognitionRecord[] {
  return Object.values(RECOGNISED).map((item) => ({ itemCode: item.code, windowDays: RECOGNITION_WINDOW_DAYS.get(item.code) as number, source: 'sim-recognition', validFrom: CATALOGUE_VALID_FROM }));
}

/** a line injector (inject-lines.ts's shape) */
export const OUT_OF_SCOPE: { variant: string; applies(d: DraftClaim): boolean; apply(d: DraftClaim): void } = {
  variant: 'out-of-scope',
  applies: (d) => scopeOf(d.inst) !== undefined && d.lines.length > 0,
  apply(d) {
    const at = d.plan.start + 20 * MINUTE;
    const item = d.inst.type === 'pharmacy' ? (d.rng.chance(0.5) ? SERVICES.wardBed : SERVICES.injection) : OPERATIONS.appendectomy;
    const line = d.add(item, at, 1);
    d.label({ family: 'service-scope', variant: 'out-of-scope', lines: [line.lineId] });
  },
};
