import { DAY_MS } from './options.js';

/**
 * What the planner remembers about each person it has used: stays, visit days and the last
 * HbA1c test. It keeps clean data clean: no visit inside a stay, no overlapping stays, no
 * readmission for the same category within the split-stay window, no second course-limited stay
 * (at any institution) while the first stay's course could still be running, no HbA1c twice within
 * its cycle. Injections are the only way those patterns appear. Days are CST day numbers.
 */
const CST_MS = 8 * 3_600_000;
/** a readmission this close (days) to the same institution and ICD-10 category would look split */
const READMISSION_GUARD_DAYS = 16;
const HBA1C_CYCLE_DAYS = 15;
const TRAVEL_GUARD_MS = 2 * 3_600_000;
/**
 * A drug with a paid course (14 days) given in two stays less than a course apart is one course
 * by the regulator's reading (a transfer continues the illness): two independent acute episodes
 * that close do not happen in a clean world. Course (14) + the pause that starts a new one (14) + margin.
 */
const COURSE_GUARD_DAYS = 30;

export const dayNo = (ms: number) => Math.floor((ms + CST_MS) / DAY_MS);

interface Stay {
  from: number;
  to: number;
  inst: string;
  category: string;
  planned: boolean;
  /** the stay gives a drug with a paid course */
  courseLimited: boolean;
}

interface PersonState {
  stays: Stay[];
  visitDays: number[];
  /** visits and purchases: when, and the institution's area (one person is in one place at a time) */
  places?: { at: number; area: string }[];
  lastHba1c?: number;
  /** days of outpatient or pharmacy visits that dispensed a month of a chronic drug */
  dispenseDays?: number[];
}

/**
 * A chronic patient collects a month's supply (at most 35 days) at most once in this many days:
 * what is left then (≤ 11 days) with the next month's stays within SUPPLY-ROLLING's 1.5 × limit,
 * and three collections never fall within SUPPLY-MULTI-PHARMACY's 30 days. Only injections (and
 * the on-time refills, which keep the spacing) collect sooner.
 */
export const DISPENSE_GUARD_DAYS = 24;

export class PersonBook {
  private readonly people = new Map<number, PersonState>();

  private state(person: number): PersonState {
    let s = this.people.get(person);
    if (!s) this.people.set(person, (s = { stays: [], visitDays: [] }));
    return s;
  }

  /** a visit on this day would not fall inside any stay (discharge and admission days included) */
  canVisit(person: number, day: number): boolean {
    const s = this.people.get(person);
    return !s || s.stays.every((st) => day < st.from || day > st.to);
  }

  canAdmit(person: number, stay: Stay): boolean {
    const s = this.people.get(person);
    if (!s) return true;
    if (s.visitDays.some((d) => d >= stay.from && d <= stay.to)) return false;
    for (const other of s.stays) {
      if (stay.from <= other.to + 1 && stay.to + 1 >= other.from) return false;
      const sameKind = other.inst === stay.inst && other.category === stay.category && !(other.planned && stay.planned);
      if (sameKind && (Math.abs(stay.from - other.to) <= READMISSION_GUARD_DAYS || Math.abs(other.from - stay.to) <= READMISSION_GUARD_DAYS)) return false;
      const twoCourses = other.courseLimited && stay.courseLimited;
      if (twoCourses && (Math.abs(stay.from - other.to) <= COURSE_GUARD_DAYS || Math.abs(other.from - stay.to) <= COURSE_GUARD_DAYS)) return false;
    }
    return true;
  }

  addStay(person: number, stay: Stay) {
    this.state(person).stays.push(stay);
  }

  /** admission days of the short stays injected below the standard, by institution (cluster: part of an admission cluster) */
  private readonly lowStandard = new Map<string, { day: number; cluster: boolean }[]>();
  /** short stays injected at the institution admitted within `days` of the day, and whether any is of a cluster */
  lowStandardNear(institutionId: string, day: number, days: number): { count: number; cluster: boolean } {
    let count = 0;
    let cluster = false;
    for (const s of this.lowStandard.get(institutionId) ?? [])
      if (Math.abs(s.day - day) <= days) {
        count++;
        cluster ||= s.cluster;
      }
    return { count, cluster };
  }
  addLowStandard(institutionId: string, day: number, cluster: boolean) {
    const list = this.lowStandard.get(institutionId);
    if (list) list.push({ day, cluster });
    else this.lowStandard.set(institutionId, [{ day, cluster }]);
  }

  /** institutions at which ghost stays were injected (one batch an institution) */
  private readonly ghosts = new Set<string>();
  ghosted(institutionId: string): boolean {
    return this.ghosts.has(institutionId);
  }
  markGhosted(institutionId: string) {
    this.ghosts.add(institutionId);
  }

  /** institution|day on which a doctor-overload injection was placed (one a day an institution) */
  private readonly overloads = new Set<string>();
  overloaded(key: string): boolean {
    return this.overloads.has(key);
  }
  markOverloaded(key: string) {
    this.overloads.add(key);
  }

  addVisit(person: number, day: number) {
    this.state(person).visitDays.push(day);
  }

  /**
   * a visit at this instant in this area leaves time to travel from and to the person's other
   * visits: 2 hours from any visit in another area (TRAVEL-IMPOSSIBLE asks 1 between counties)
   */
  canBeAt(person: number, at: number, area: string): boolean {
    const places = this.people.get(person)?.places;
    return !places || places.every((p) => p.area === area || Math.abs(p.at - at) >= TRAVEL_GUARD_MS);
  }

  addPlace(person: number, at: number, area: string) {
    (this.state(person).places ??= []).push({ at, area });
  }

  /** no chronic month's supply collected within the guard on either side of the day */
  canDispense(person: number, day: number): boolean {
    const days = this.people.get(person)?.dispenseDays;
    return !days || days.every((d) => Math.abs(d - day) >= DISPENSE_GUARD_DAYS);
  }

  addDispense(person: number, day: number) {
    (this.state(person).dispenseDays ??= []).push(day);
  }

  hba1cAllowed(person: number, day: number): boolean {
    const last = this.people.get(person)?.lastHba1c;
    return last === undefined || Math.abs(day - last) > HBA1C_CYCLE_DAYS;
  }

  addHba1c(person: number, day: number) {
    const s = this.state(person);
    s.lastHba1c = Math.max(s.lastHba1c ?? day, day);
  }

  /** forgets what can no longer matter: everything that ended well before `day` */
  prune(day: number) {
    const horizon = day - Math.max(READMISSION_GUARD_DAYS, COURSE_GUARD_DAYS) - 2;
    for (const [person, s] of this.people) {
      s.stays = s.stays.filter((st) => st.to >= horizon);
      s.visitDays = s.visitDays.filter((d) => d >= day);
      if (s.places) s.places = s.places.filter((p) => dayNo(p.at) >= day - 1);
      if (s.dispenseDays) s.dispenseDays = s.dispenseDays.filter((d) => d >= day - DISPENSE_GUARD_DAYS);
      if (s.stays.length === 0 && s.visitDays.length === 0 && !s.dispenseDays?.length && (s.lastHba1c === undefined || s.lastHba1c < horizon)) this.people.delete(person);
    }
  }
}

export type { Stay as BookedStay };
