import { dayNo, PersonBook } from './person-book.js';
import { DAY_MS } from './options.js';
import { applyPlanVariant, planApplies, type Planning } from './plan-injections.js';
import { historyLookAlikes } from './inject-history.js';
import { CST_MS, dayStartMs, drawNights, fits, pickProfile, stayOf } from './plan-draw.js';
import type { StayProfile, VisitPlan, VisitProfile } from './plan.js';
import { INPATIENT } from './profiles-inpatient.js';
import { OUTPATIENT } from './profiles-outpatient.js';
import { PHARMACY } from './profiles-pharmacy.js';
import { derive, type Random } from './random.js';
import { VARIANTS, type VariantChooser } from './variants.js';
import type { World } from './world.js';
import type { Person, SimInstitution, VisitKind } from './types.js';

const HOUR = 3_600_000;
const EPIDEMIC_DAYS = 14;
const EPIDEMIC_EXTRA = 0.7;
const PREFIX = { outpatient: 'MZ', inpatient: 'ZY', pharmacy: 'YD' } as const;

/**
 * Decides, day by day, who visits which institution when: admissions, outpatient visits and
 * pharmacy purchases drawn as Poisson counts around each institution's daily rate (fewer visits
 * and admissions at weekends, more pharmacy sales), persons drawn by age, and injections chosen.
 * Plans whose service ends inside the simulated period are handed on; earlier ones only warm up
 * the person book.
 */
export class Planner implements Planning {
  readonly book = new PersonBook();
  private seq = 0;

  constructor(
    readonly world: World,
    readonly chooser: VariantChooser,
    private readonly push: (plan: VisitPlan) => void,
  ) {}

  planDay(day: number) {
    const t0 = dayStartMs(day);
    const rng = derive(this.world.seed, 'day', day);
    const weekday = new Date(t0 + CST_MS).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    for (const inst of this.world.institutions) {
      const n = rng.poisson(inst.admissionsPerDay * (weekend ? 0.7 : 1.12));
      for (let i = 0; i < n; i++) this.planStay(rng, inst, t0 + rng.int(8 * 60, 20 * 60) * 60_000);
    }
    this.epidemic(day);
    if (t0 >= this.world.period.start) {
      for (const inst of this.world.institutions) {
        const outpatient = rng.poisson(inst.outpatientPerDay * (weekend ? 0.6 : 1.16));
        for (let i = 0; i < outpatient; i++) this.planVisit(rng, inst, 'outpatient', t0 + clinicMinute(rng) * 60_000 + rng.int(0, 59_000));
        const pharmacy = rng.poisson(inst.pharmacyPerDay * (weekend ? 1.1 : 0.96));
        for (let i = 0; i < pharmacy; i++) this.planVisit(rng, inst, 'pharmacy', t0 + rng.int(8 * 60, 21 * 60) * 60_000 + rng.int(0, 59_000));
      }
    }
    if (day % 7 === 0) this.book.prune(day);
  }

  private planVisit(rng: Random, inst: SimInstitution, kind: 'outpatient' | 'pharmacy', at: number) {
    const profile = pickProfile(rng, kind === 'outpatient' ? OUTPATIENT : PHARMACY, inst);
    const person = this.world.population.draw(rng, kind, profile.ages, profile.sex, at);
    if (!person || !this.book.canVisit(person.index, dayNo(at)) || !this.book.canBeAt(person.index, at, inst.area)) return;
    // a chronic patient collects a month's supply about monthly, never twice within the guard
    if (profile.chronic && !this.book.canDispense(person.index, dayNo(at))) return;
    const plan = this.newPlan(rng, { kind, inst, person, profile, start: at, end: at });
    if (kind === 'outpatient' && profile.diag.code === 'E11.900' && rng.chance(0.3) && this.book.hba1cAllowed(person.index, dayNo(at))) plan.hba1c = true;
    this.book.addVisit(person.index, dayNo(at));
    this.book.addPlace(person.index, at, inst.area);
    if (profile.chronic) this.book.addDispense(person.index, dayNo(at));
    if (plan.hba1c) this.book.addHba1c(person.index, dayNo(at));
    this.inject(rng, plan);
    for (const p of historyLookAlikes(this, plan)) this.accept(p);
    if (kind === 'pharmacy' && profile.chronic) this.chronicCompanions(plan);
  }

  /**
   * Look-alikes of over-supply that must not fire, drawn by the plan's own key (the day's draws
   * stay as they were): a chronic patient's next month collected on time (25 to 30 days after a
   * month's supply, at the same pharmacy or another), and a family member collecting their own
   * month at the same pharmacy minutes later on their own card.
   */
  private chronicCompanions(base: VisitPlan) {
    const rng = derive(this.world.seed, 'chronic-companions', base.claimId);
    if (base.supplyDays === undefined && base.labels.length === 0 && !base.lineInjection && rng.chance(0.15)) {
      const day = dayNo(base.start) + rng.int(25, 30);
      const at = dayStartMs(day) + rng.int(8 * 60, 20 * 60) * 60_000;
      const pharmacies = this.world.institutions.filter((i) => i.pharmacyPerDay > 0);
      const inst = rng.chance(0.5) || pharmacies.length === 0 ? base.inst : rng.pick(pharmacies);
      const refill = this.newPlan(rng, { kind: 'pharmacy', inst, person: base.person, profile: base.profile, start: at, end: at });
      if (this.inPeriod(refill) && this.book.canVisit(base.person.index, day) && this.book.canDispense(base.person.index, day) && this.book.canBeAt(base.person.index, at, inst.area)) {
        base.supplyDays = refill.supplyDays = 30;
        this.book.addVisit(base.person.index, day);
        this.book.addPlace(base.person.index, at, inst.area);
        this.book.addDispense(base.person.index, day);
        this.accept(refill);
      }
    }
    if (rng.chance(0.05)) {
      const at = base.start + rng.int(1, 3) * 60_000;
      const profile = base.profile as VisitProfile;
      const other = this.world.population.draw(rng, 'pharmacy', profile.ages, profile.sex, at);
      // a family member is where the family is: not minutes from a visit of their own in another area
      if (
        !other ||
        other.index === base.person.index ||
        !this.book.canVisit(other.index, dayNo(at)) ||
        !this.book.canDispense(other.index, dayNo(at)) ||
        !this.book.canBeAt(other.index, at, base.inst.area)
      )
        return;
      const family = this.newPlan(rng, { kind: 'pharmacy', inst: base.inst, person: other, profile, start: at, end: at });
      this.book.addVisit(other.index, dayNo(at));
      this.book.addPlace(other.index, at, base.inst.area);
      this.book.addDispense(other.index, dayNo(at));
      this.accept(family);
    }
  }

  /**
   * A look-alike of ghost stays that must not fire, in every world: an epidemic of chest
   * infections at the largest hospital below tertiary, two weeks from the period's fifth day, with
   * admissions at 1.7 times the usual rate: its ward fills to about 1.3 times its beds (corridor
   * beds), short of BED-CENSUS's half again. Drawn from its own seed, so the rest of the day is as
   * it was.
   */
  private epidemic(day: number) {
    const from = dayNo(this.world.period.start) + 4;
    if (day < from || day >= from + EPIDEMIC_DAYS) return;
    const hospitals = this.world.institutions.filter((i) => i.type === 'hospital' && i.level !== 'tertiary' && i.beds > 0);
    const inst = hospitals.sort((a, b) => b.beds - a.beds || (a.id < b.id ? -1 : 1))[0];
    if (!inst) return;
    const rng = derive(this.world.seed, 'epidemic', day);
    const profiles = INPATIENT.filter((p) => fits(p, inst) && ['J18', 'J44'].includes(p.diag.code.slice(0, 3)));
    const n = rng.poisson(inst.admissionsPerDay * EPIDEMIC_EXTRA);
    for (let i = 0; i < n; i++) this.planStay(rng, inst, dayStartMs(day) + rng.int(8 * 60, 22 * 60) * 60_000, profiles);
  }

  private planStay(rng: Random, inst: SimInstitution, admitAt: number, among: readonly StayProfile[] = INPATIENT) {
    const profile = pickProfile(
      rng,
      among.filter((p) => fits(p, inst)),
      inst,
    );
    const person = this.world.population.draw(rng, 'inpatient', profile.ages, profile.sex, admitAt);
    if (!person) return;
    const plan = this.stayPlan(rng, inst, person, profile, admitAt, drawNights(rng, profile, inst));
    if (profile.diag.code === 'E11.900' && rng.chance(0.5) && this.book.hba1cAllowed(person.index, dayNo(admitAt))) plan.hba1c = true;
    this.inject(rng, plan);
  }

  /** chooses an injection (or none), lets it shape the plan and its companions, then books and hands them on */
  private inject(rng: Random, plan: VisitPlan) {
    const stay = plan.kind === 'inpatient';
    const choice = this.chooseVariant(rng, plan);
    const injected = choice && choice !== 'line' ? applyPlanVariant(this, rng, plan, choice.variant) : undefined;
    if (stay && !this.book.canAdmit(plan.person.index, stayOf(plan))) return;
    if (stay) this.book.addStay(plan.person.index, stayOf(plan));
    // a stay's HbA1c (admission day) counts toward the person's cycle as an outpatient one does
    if (stay && plan.hba1c) this.book.addHba1c(plan.person.index, dayNo(plan.start));
    injected?.commit();
    if (choice === 'line') plan.lineInjection = true;
    else if (choice && injected) this.chooser.record(choice.variant);
    if (stay && (plan.profile as StayProfile).planned) this.planCycles(rng, plan);
    this.accept(plan);
    for (const p of injected?.emit ?? []) this.accept(p);
  }

  private chooseVariant(rng: Random, plan: VisitPlan) {
    const { options } = this.world;
    if (options.clean || !this.inPeriod(plan)) return undefined;
    if (plan.inst.behaviours.includes('readmissions') && plan.kind === 'inpatient' && rng.chance(0.06) && planApplies(this, plan, 'readmission'))
      return VARIANTS.find((v) => v.variant === 'readmission');
    const plans = VARIANTS.filter((v) => v.level === 'plan' && v.kinds.includes(plan.kind) && planApplies(this, plan, v.variant));
    // A plan-level variant that applies to few plans (a long stroke stay) is drawn eagerly until
    // it has been placed once, so even a small run shows every kind of violation.
    const rare = options.violationShare > 0 && plans.some((v) => !this.chooser.seen(v.variant)) ? 0.5 : 0;
    if (!rng.chance(Math.max(rare, options.violationShare * (plan.inst.violationFactor ?? (plan.inst.fraudulent ? 3 : 1))))) return undefined;
    const lines = VARIANTS.filter((v) => v.level === 'line' && v.kinds.includes(plan.kind));
    return this.chooser.chooseAtPlanning(rng, plans, lines, plan.inst);
  }

  /** chemotherapy: further cycles every 14 days at the same institution, expected and clean */
  private planCycles(rng: Random, first: VisitPlan) {
    for (let c = 1; c <= 4; c++) {
      const next = this.stayPlan(rng, first.inst, first.person, first.profile as StayProfile, first.start + 14 * c * DAY_MS, drawNights(rng, first.profile as StayProfile, first.inst));
      if (next.end >= this.world.period.end || !this.book.canAdmit(next.person.index, stayOf(next))) return;
      this.book.addStay(next.person.index, stayOf(next));
      this.accept(next);
    }
  }

  stayPlan(rng: Random, inst: SimInstitution, person: Person, profile: StayProfile, admitAt: number, nights: number): VisitPlan {
    const plan = this.newPlan(rng, { kind: 'inpatient', inst, person, profile, start: admitAt, end: admitAt });
    this.setNights(rng, plan, nights);
    return plan;
  }

  /** discharge on the morning `nights` days after the admission day */
  setNights(rng: Random, plan: VisitPlan, nights: number) {
    plan.nights = nights;
    plan.end = dayStartMs(dayNo(plan.start) + nights) + rng.int(8 * 60, 11 * 60 + 59) * 60_000;
    plan.arrival = this.arrival(rng, plan, plan.late);
  }

  newPlan(rng: Random, f: Pick<VisitPlan, 'kind' | 'inst' | 'person' | 'profile' | 'start' | 'end'>): VisitPlan {
    const seq = ++this.seq;
    const claimId = `${PREFIX[f.kind]}${new Date(f.start + CST_MS).toISOString().slice(0, 10).replaceAll('-', '')}${String(seq).padStart(8, '0')}`;
    const late = this.world.options.lateMaxDays > 0 && rng.chance(this.world.options.lateShare);
    const plan: VisitPlan = { ...f, claimId, contentKey: claimId, arrival: 0, late, nights: 0, emptyNights: 0, hba1c: false, lineInjection: false, labels: [], seq };
    plan.arrival = this.arrival(rng, plan, late);
    return plan;
  }

  /** settlement: at the visit, a few hours after discharge, or (late) days afterwards */
  arrival(rng: Random, plan: VisitPlan, late: boolean): number {
    if (late) return plan.end + rng.int(1, this.world.options.lateMaxDays) * DAY_MS + rng.int(0, 23) * HOUR;
    if (plan.kind === 'inpatient') return plan.end + rng.int(60, 360) * 60_000;
    return plan.end + rng.int(plan.kind === 'pharmacy' ? 5 : 60, plan.kind === 'pharmacy' ? 180 : 1800) * 1000;
  }

  /** injected pairs arrive in service order, so the later claim is the one that meets the earlier */
  onTime(rng: Random, plan: VisitPlan) {
    plan.late = false;
    plan.arrival = this.arrival(rng, plan, false);
  }

  inPeriod = (plan: VisitPlan) => plan.end >= this.world.period.start && plan.end < this.world.period.end;

  accept(plan: VisitPlan) {
    if (this.inPeriod(plan)) this.push(plan);
  }
}

function clinicMinute(rng: Random) {
  return rng.chance(0.65) ? rng.int(8 * 60, 11 * 60 + 30) : rng.int(14 * 60, 17 * 60 + 30);
}

export type { VisitKind, VisitProfile };
