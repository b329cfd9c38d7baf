import { cstDay } from './draft.js';
import { applyHistoryVariant, historyApplies } from './inject-history.js';
import { dayNo, type PersonBook } from './person-book.js';
import { refOf, type Profile, type StayProfile, type VisitPlan, type VisitProfile } from './plan.js';
import { dayStartMs, drawNights, fits, pickProfile, stayOf } from './plan-draw.js';
import { ageYears } from './population.js';
import { INPATIENT, LOW_STANDARD } from './profiles-inpatient.js';
import { OUTPATIENT } from './profiles-outpatient.js';
import { PHARMACY } from './profiles-pharmacy.js';
import type { Random } from './random.js';
import type { Person, SimInstitution } from './types.js';
import { DRUGS } from './catalogue-drugs.js';
import { censusLimit } from './census.js';
import type { World } from './world.js';

/** What the injections need of the planner (./planner.ts): its book, its world and its plan makers. */
export interface Planning {
  readonly book: PersonBook;
  readonly world: World;
  newPlan(rng: Random, f: Pick<VisitPlan, 'kind' | 'inst' | 'person' | 'profile' | 'start' | 'end'>): VisitPlan;
  stayPlan(rng: Random, inst: SimInstitution, person: Person, profile: StayProfile, admitAt: number, nights: number): VisitPlan;
  setNights(rng: Random, plan: VisitPlan, nights: number): void;
  onTime(rng: Random, plan: VisitPlan): void;
  inPeriod(plan: VisitPlan): boolean;
}

/**
 * Injections that shape visits rather than lines: a resubmitted copy, a readmission, a stay
 * with hung-bed nights or an overrun course, a visit elsewhere during a stay, an overlapping
 * stay, a second HbA1c inside its cycle. Each returns the companion plans to emit and what to
 * book once the base plan is booked, or undefined when it cannot be placed (the base stays clean).
 */
export interface PlanInjection {
  emit: VisitPlan[];
  commit(): void;
}

const stayProfile = (p: VisitPlan) => p.profile as StayProfile;
const compatible = <P extends Profile>(profiles: readonly P[], person: Person, at: number) =>
  profiles.filter((p) => {
    const age = ageYears(person.birthDate, at);
    return age >= p.ages[0] && age <= p.ages[1] && (p.sex === undefined || p.sex === person.sex);
  });

export function planApplies(planner: Planning, plan: VisitPlan, variant: string): boolean {
  const stay = plan.kind === 'inpatient';
  switch (variant) {
    case 'resubmitted':
      return true;
    case 'readmission':
      // a readmission resuming a paid-course drug would also overrun its course: not a pure split stay
      return stay && !stayProfile(plan).planned && !stayProfile(plan).courseLimited;
    case 'empty-days':
      return stay && !stayProfile(plan).planned;
    case 'visit-during-stay':
    case 'overlap':
      return stay && plan.nights >= 3 && !stayProfile(plan).planned;
    case 'course-length':
      return stay && stayProfile(plan).courseLimited === true;
    case 'low-standard-admission': {
      // kept apart from clusters, and never so dense at one institution that it makes one by chance
      if (!stay || stayProfile(plan).planned || stayProfile(plan).courseLimited) return false;
      const near = planner.book.lowStandardNear(plan.inst.id, dayNo(plan.start), CLUSTER_GAP);
      return !near.cluster && near.count < 3;
    }
    case 'card-burst':
      return plan.kind === 'pharmacy';
    case 'doctor-overload':
      return plan.kind === 'outpatient' && !planner.book.overloaded(`${plan.inst.id}|${dayNo(plan.start)}`);
    case 'admission-cluster':
      return stay && !stayProfile(plan).planned && !stayProfile(plan).courseLimited && planner.book.lowStandardNear(plan.inst.id, dayNo(plan.start), CLUSTER_GAP + 5).count === 0;
    case 'ghost-stays':
      // a small ward (a clinic's or a small hospital's), once, early enough for the stays to end in the period
      return (
        stay &&
        plan.inst.beds >= 4 &&
        plan.inst.beds <= GHOST_MAX_BEDS &&
        !planner.book.ghosted(plan.inst.id) &&
        plan.start >= planner.world.period.start &&
        dayStartMs(dayNo(plan.start) + 16) < planner.world.period.end
      );
    case 'exam-repeat':
    case 'travel-impossible':
      return historyApplies(planner, plan, variant);
    case 'times-per-cycle':
      return plan.kind === 'outpatient' && plan.profile.diag.code === 'E11.900' && (plan.hba1c || planner.book.hba1cAllowed(plan.person.index, dayNo(plan.start)));
    case 'over-supply':
      return plan.kind === 'pharmacy' && (plan.profile as VisitProfile).chronic === true;
    case 'multi-pharmacy':
      // half a month each of a drug a box of which lasts at most 16 days: three never over-supply
      return plan.kind === 'pharmacy' && (plan.profile as VisitProfile).chronic === true && plan.profile.diag.code !== 'E78.500';
    default:
      return false;
  }
}

export function applyPlanVariant(planner: Planning, rng: Random, base: VisitPlan, variant: string): PlanInjection | undefined {
  const nothing = () => {};
  const { book, world } = planner;
  const endsBefore = (nights: number) => dayStartMs(dayNo(base.start) + nights) + 12 * 3_600_000 < world.period.end;
  switch (variant) {
    case 'resubmitted': {
      planner.onTime(rng, base);
      const copy = planner.newPlan(rng, base);
      Object.assign(copy, {
        contentKey: base.contentKey,
        nights: base.nights,
        emptyNights: base.emptyNights,
        hba1c: base.hba1c,
        late: false,
        supplyDays: base.supplyDays,
        noTakeHome: base.noTakeHome,
      });
      copy.arrival = base.arrival + rng.int(1, 48) * 3_600_000;
      copy.labels.push({ variant, other: refOf(base) });
      return { emit: [copy], commit: nothing };
    }
    case 'readmission': {
      const admit = dayStartMs(dayNo(base.end) + rng.int(1, 14)) + rng.int(8 * 60, 18 * 60) * 60_000;
      const again = planner.stayPlan(rng, base.inst, base.person, stayProfile(base), admit, drawNights(rng, stayProfile(base), base.inst));
      if (!planner.inPeriod(again) || !book.canAdmit(again.person.index, stayOf(again))) return undefined;
      planner.onTime(rng, base);
      planner.onTime(rng, again);
      again.labels.push({ variant, other: refOf(base) });
      return { emit: [again], commit: () => book.addStay(again.person.index, stayOf(again)) };
    }
    case 'empty-days': {
      const extra = rng.int(3, 6);
      if (!endsBefore(base.nights + extra)) return undefined;
      const treated = base.nights;
      planner.setNights(rng, base, treated + extra);
      base.emptyNights = extra;
      base.labels.push({ variant, from: dayStartMs(dayNo(base.start) + treated) });
      return { emit: [], commit: nothing };
    }
    case 'course-length': {
      const nights = Math.max(base.nights, rng.int(16, 20));
      if (!endsBefore(nights)) return undefined;
      planner.setNights(rng, base, nights);
      base.labels.push({ variant });
      return { emit: [], commit: nothing };
    }
    case 'low-standard-admission': {
      // the person admitted for what a clinic treats, for a day to three
      const profile = compatible(LOW_STANDARD, base.person, base.start);
      // admitted inside the period and discharged inside it, however short the stay becomes
      if (profile.length === 0 || base.start < world.period.start || !endsBefore(3)) return undefined;
      base.profile = rng.pick(profile);
      base.hba1c = false;
      planner.setNights(rng, base, rng.int(1, 3));
      base.labels.push({ variant });
      return { emit: [], commit: () => book.addLowStandard(base.inst.id, dayNo(base.start), false) };
    }
    case 'visit-during-stay': {
      const day = dayNo(base.start) + rng.int(1, base.nights - 1);
      const at = dayStartMs(day) + rng.int(9 * 60, 16 * 60) * 60_000;
      const kind = rng.chance(0.4) ? 'pharmacy' : 'outpatient';
      const sites = world.institutions.filter((i) => i.id !== base.inst.id && (kind === 'pharmacy' ? i.pharmacyPerDay : i.outpatientPerDay) > 0);
      // a chronic patient's month is not collected twice within the person book's guard
      const profiles = compatible(kind === 'pharmacy' ? PHARMACY : OUTPATIENT, base.person, at).filter((p) => !p.chronic || book.canDispense(base.person.index, day));
      if (sites.length === 0 || profiles.length === 0) return undefined;
      const inst = rng.pick(sites);
      const visit = planner.newPlan(rng, { kind, inst, person: base.person, profile: pickProfile(rng, profiles, inst), start: at, end: at });
      if (!planner.inPeriod(visit)) return undefined;
      planner.onTime(rng, base);
      planner.onTime(rng, visit);
      base.labels.push({ variant, other: refOf(visit), day: cstDay(at) });
      return {
        emit: [visit],
        commit: () => {
          book.addVisit(base.person.index, day);
          if ((visit.profile as VisitProfile).chronic) book.addDispense(base.person.index, day);
        },
      };
    }
    case 'overlap': {
      const others = world.institutions.filter((i) => i.beds > 0 && i.id !== base.inst.id);
      const inst = others.length > 0 ? rng.pick(others) : base.inst;
      const at0 = dayStartMs(dayNo(base.start) + rng.int(1, base.nights - 1)) + rng.int(9 * 60, 18 * 60) * 60_000;
      const fitting = compatible(
        INPATIENT.filter((p) => fits(p, inst) && !p.planned),
        base.person,
        at0,
      );
      const different = fitting.filter((p) => p.diag.code.slice(0, 3) !== base.profile.diag.code.slice(0, 3));
      if (fitting.length === 0) return undefined;
      const profile = pickProfile(rng, different.length > 0 ? different : fitting, inst);
      const second = planner.stayPlan(rng, inst, base.person, profile, at0, rng.int(2, 6));
      if (!planner.inPeriod(second) || !book.canAdmit(second.person.index, stayOf(second))) return undefined;
      planner.onTime(rng, base);
      planner.onTime(rng, second);
      // the stay admitted inside the other is the one at fault, whichever of the two arrives first
      second.labels.push({ variant, other: refOf(base), from: Math.max(base.start, second.start), to: Math.min(base.end, second.end) });
      return { emit: [second], commit: () => book.addStay(second.person.index, stayOf(second)) };
    }
    case 'times-per-cycle': {
      const day = dayNo(base.start) + rng.int(4, 12);
      const at = dayStartMs(day) + rng.int(8 * 60, 16 * 60) * 60_000;
      const again = planner.newPlan(rng, { ...base, start: at, end: at });
      if (!planner.inPeriod(again) || !book.canVisit(base.person.index, day)) return undefined;
      // the second visit is for the test: the month's drugs were taken home at the first
      again.noTakeHome = true;
      base.hba1c = again.hba1c = true;
      planner.onTime(rng, base);
      planner.onTime(rng, again);
      again.labels.push({ variant, other: refOf(base) });
      return {
        emit: [again],
        commit: () => {
          book.addHba1c(base.person.index, dayNo(base.start));
          book.addHba1c(base.person.index, day);
          book.addVisit(base.person.index, day);
        },
      };
    }
    case 'card-burst': {
      // A stack of collected cards swiped one after another for the same basket (盗刷/连续刷卡):
      // five to seven persons' cards within eight minutes, each for the same three chronic drugs.
      if (compatible([BURST_BASKET], base.person, base.start).length === 0) return undefined;
      const cards = rng.int(5, 7);
      const buyers: Person[] = [];
      for (let tries = 0; buyers.length < cards - 1 && tries < 40; tries++) {
        const p = world.population.draw(rng, 'pharmacy', BURST_BASKET.ages, undefined, base.start);
        if (p && p.index !== base.person.index && !buyers.some((b) => b.index === p.index) && book.canVisit(p.index, dayNo(base.start)) && book.canBeAt(p.index, base.start, base.inst.area))
          buyers.push(p);
      }
      if (buyers.length < cards - 1) return undefined;
      base.profile = BURST_BASKET;
      planner.onTime(rng, base);
      base.labels.push({ variant });
      let at = base.start;
      const emit = buyers.map((person) => {
        at += rng.int(30, 80) * 1000;
        const swipe = planner.newPlan(rng, { kind: 'pharmacy', inst: base.inst, person, profile: BURST_BASKET, start: at, end: at });
        swipe.contentKey = base.contentKey;
        planner.onTime(rng, swipe);
        swipe.labels.push({ variant });
        return swipe;
      });
      if (!emit.every((p) => planner.inPeriod(p))) return undefined;
      return {
        emit,
        commit: () =>
          emit.forEach((p) => {
            book.addVisit(p.person.index, dayNo(p.start));
            book.addPlace(p.person.index, p.start, base.inst.area);
          }),
      };
    }
    case 'doctor-overload': {
      // Visits no one gave (虚构医疗服务): one doctor billed for more outpatients in a day than the
      // register says the doctor can see (OVERLOAD_CAPACITY). The visits beyond the capacity, in
      // the order they are settled, are the ones at fault.
      const day = dayNo(base.start);
      const extra = rng.int(3, 8);
      const total = OVERLOAD_CAPACITY + extra;
      const doctorId = overloadDoctor(base.inst.id);
      const step = Math.floor((9 * 3_600_000) / total);
      const visits: VisitPlan[] = [];
      const people: Person[] = [];
      for (let tries = 0; visits.length < total - 1 && tries < total * 4; tries++) {
        const at = dayStartMs(day) + 8 * 3_600_000 + (visits.length + 1) * step + rng.int(0, 59) * 1000;
        const profile = pickProfile(rng, OUTPATIENT, base.inst);
        const person = world.population.draw(rng, 'outpatient', profile.ages, profile.sex, at);
        // the visits within the capacity are honest and keep to where their persons can be
        if (!person || person.index === base.person.index || people.some((p) => p.index === person.index) || !book.canVisit(person.index, day) || !book.canBeAt(person.index, at, base.inst.area))
          continue;
        const visit = planner.newPlan(rng, { kind: 'outpatient', inst: base.inst, person, profile, start: at, end: at });
        visits.push(visit);
        people.push(person);
      }
      if (visits.length < total - 1) return undefined;
      base.start = base.end = dayStartMs(day) + 8 * 3_600_000 + rng.int(0, 59) * 1000;
      const all = [base, ...visits];
      if (!all.every((p) => planner.inPeriod(p))) return undefined;
      all.forEach((p, rank) => {
        p.doctorId = doctorId;
        p.late = false;
        // settled at the visit, in the order seen
        p.arrival = p.end + 60_000;
        if (rank >= OVERLOAD_CAPACITY) p.labels.push({ variant });
      });
      return {
        emit: visits,
        commit: () => {
          book.markOverloaded(`${base.inst.id}|${day}`);
          people.forEach((p) => book.addVisit(p.index, day));
          visits.forEach((v) => book.addPlace(v.person.index, v.start, base.inst.area));
        },
      };
    }
    case 'admission-cluster': {
      // Admissions induced in numbers (批量诱导住院): five to seven persons admitted within five
      // days for what a clinic treats, each for one to three nights.
      const n = rng.int(5, 7);
      const plans: VisitPlan[] = [];
      const first = dayNo(base.start);
      if (base.start < world.period.start || dayStartMs(first + 9) >= world.period.end) return undefined;
      const low = compatible(LOW_STANDARD, base.person, base.start);
      if (low.length === 0) return undefined;
      base.profile = rng.pick(low);
      base.hba1c = false;
      planner.setNights(rng, base, rng.int(1, 3));
      for (let tries = 0; plans.length < n - 1 && tries < 40; tries++) {
        const profile = rng.pick(LOW_STANDARD);
        const admit = dayStartMs(first + rng.int(0, 5)) + rng.int(8 * 60, 18 * 60) * 60_000;
        const person = world.population.draw(rng, 'inpatient', profile.ages, profile.sex, admit);
        if (!person || person.index === base.person.index || plans.some((p) => p.person.index === person.index)) continue;
        const stay = planner.stayPlan(rng, base.inst, person, profile, admit, rng.int(1, 3));
        if (!planner.inPeriod(stay) || !book.canAdmit(person.index, stayOf(stay))) continue;
        plans.push(stay);
      }
      if (plans.length < n - 1) return undefined;
      for (const p of [base, ...plans]) {
        planner.onTime(rng, p);
        p.labels.push({ variant });
      }
      return {
        emit: plans,
        commit: () => {
          plans.forEach((p) => book.addStay(p.person.index, stayOf(p)));
          for (const p of [base, ...plans]) book.addLowStandard(base.inst.id, dayNo(p.start), true);
        },
      };
    }
    case 'ghost-stays': {
      // Stays no one had (虚构住院): insured persons' cards admitted on paper in one day at a small
      // ward, more than its beds hold with corridor beds, 'discharged' one a day from the fourth
      // night on and settled hours apart. The census then passes the beds for days; the stays past
      // them are labelled as they arrive (sim/census.ts).
      const inst = base.inst;
      const day = dayNo(base.start);
      const count = censusLimit(inst.beds) - Math.round(inst.beds * 0.8) + rng.int(2, 4);
      const profiles = INPATIENT.filter((p) => fits(p, inst) && !p.planned && !p.courseLimited && (p.minNights ?? 1) <= 4);
      if (profiles.length === 0) return undefined;
      const plans: VisitPlan[] = [];
      for (let tries = 0; plans.length < count && tries < count * 4; tries++) {
        const profile = pickProfile(rng, profiles, inst);
        const admit = dayStartMs(day) + rng.int(8 * 60, 20 * 60) * 60_000;
        const person = world.population.draw(rng, 'inpatient', profile.ages, profile.sex, admit);
        if (!person || person.index === base.person.index || plans.some((p) => p.person.index === person.index)) continue;
        const k = plans.length;
        const stay = planner.stayPlan(rng, inst, person, profile, admit, 4 + (k % GHOST_DISCHARGE_DAYS));
        // settled at noon after discharge, those discharged the same day five hours apart
        stay.late = false;
        stay.arrival = dayStartMs(dayNo(stay.end)) + 12 * 3_600_000 + Math.floor(k / GHOST_DISCHARGE_DAYS) * 5 * 3_600_000 + rng.int(0, 30) * 60_000;
        if (!planner.inPeriod(stay) || !book.canAdmit(person.index, stayOf(stay))) continue;
        stay.labels.push({ variant });
        plans.push(stay);
      }
      if (plans.length < count) return undefined;
      return {
        emit: plans,
        commit: () => {
          plans.forEach((p) => book.addStay(p.person.index, stayOf(p)));
          book.markGhosted(inst.id);
        },
      };
    }
    case 'over-supply': {
      // 超量开药: a second month's supply a few days after the first, at another pharmacy or the same
      const day = dayNo(base.start) + rng.int(3, 10);
      const at = dayStartMs(day) + rng.int(8 * 60, 20 * 60) * 60_000;
      const others = world.institutions.filter((i) => i.pharmacyPerDay > 0 && i.id !== base.inst.id);
      const inst = others.length > 0 && rng.chance(0.6) ? rng.pick(others) : base.inst;
      const again = planner.newPlan(rng, { kind: 'pharmacy', inst, person: base.person, profile: base.profile, start: at, end: at });
      if (!planner.inPeriod(again) || !book.canVisit(base.person.index, day)) return undefined;
      base.supplyDays = again.supplyDays = 30;
      planner.onTime(rng, base);
      planner.onTime(rng, again);
      again.labels.push({ variant, other: refOf(base) });
      return {
        emit: [again],
        commit: () => {
          book.addVisit(base.person.index, day);
          book.addDispense(base.person.index, day);
        },
      };
    }
    case 'multi-pharmacy': {
      // 多处开药: half a month's supply at three different places within two weeks: pharmacies, or
      // a clinic's or hospital's outpatient desk for the same diagnosis where few pharmacies are
      const outpatientProfile = OUTPATIENT.find((p) => p.diag.code === base.profile.diag.code);
      const others = world.institutions.filter((i) => i.id !== base.inst.id && (i.pharmacyPerDay > 0 || (i.outpatientPerDay > 0 && outpatientProfile !== undefined)));
      if (others.length < 2) return undefined;
      const second = rng.pick(others);
      const third = rng.pick(others.filter((i) => i.id !== second.id));
      const days = [dayNo(base.start) + rng.int(4, 7), dayNo(base.start) + rng.int(10, 14)];
      const plans = [second, third].map((inst, k) =>
        planner.newPlan(rng, {
          kind: inst.pharmacyPerDay > 0 ? 'pharmacy' : 'outpatient',
          inst,
          person: base.person,
          profile: inst.pharmacyPerDay > 0 ? base.profile : (outpatientProfile as VisitProfile),
          start: dayStartMs(days[k]!) + rng.int(8 * 60, 17 * 60) * 60_000,
          end: 0,
        }),
      );
      for (const p of plans) p.end = p.start;
      if (plans.some((p) => !planner.inPeriod(p)) || days.some((dd) => !book.canVisit(base.person.index, dd))) return undefined;
      base.supplyDays = 15;
      planner.onTime(rng, base);
      for (const p of plans) {
        p.supplyDays = 15;
        planner.onTime(rng, p);
      }
      plans[1]!.labels.push({ variant, others: [refOf(base), refOf(plans[0]!)] });
      return {
        emit: plans,
        commit: () => {
          for (const dd of days) {
            book.addVisit(base.person.index, dd);
            book.addDispense(base.person.index, dd);
          }
        },
      };
    }
    default:
      return applyHistoryVariant(planner, rng, base, variant);
  }
}

/**
 * Days apart (beyond ADMISSION-CLUSTER's ±7) that keep a lone low-standard admission out of a
 * cluster's window, and lone ones at one institution below a cluster's five.
 */
const CLUSTER_GAP = 8;
/** ghost stays are injected at wards of at most this many beds; they are discharged over this many days */
const GHOST_MAX_BEDS = 30;
const GHOST_DISCHARGE_DAYS = 8;

/** The part-time doctor an overload injection bills under, and the day's capacity the register gives the doctor. */
export const OVERLOAD_CAPACITY = 20;
export const overloadDoctor = (institutionId: string) => `${institutionId}-D900`;

/**
 * The basket of a card burst: a month of three chronic drugs (a hypertensive person's refill with a
 * statin), a set no genuine refill here repeats exactly (they buy nifedipine, with aspirin or not).
 */
const BURST_BASKET: VisitProfile = {
  kind: 'pharmacy',
  diag: { code: 'I10.x00', name: '高血压' },
  weight: [0, 0, 0],
  ages: [45, 90],
  build(d) {
    d.drug(DRUGS.nifedipine, d.plan.start, 30);
    d.drug(DRUGS.aspirin, d.plan.start, 30);
    d.drug(DRUGS.atorvastatin, d.plan.start, 28);
  },
};
