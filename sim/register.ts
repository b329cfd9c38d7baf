import type { PersonRegisterRecord } from '../src/reference/reference.schema.js';
import { cstDay, type DraftClaim } from './draft.js';
import { ageYears } from './population.js';
import { DAY_MS } from './options.js';
import { hash32 } from './random.js';

/**
 * The fund's person register (参保登记) for everyone who appears in the claims: enrolled since
 * 2000 or birth. A first, silent pass over the claims collects the persons and what was injected
 * into the register: a death some days before a visit (the card used after its holder died) or an
 * enrolment ended before it. Look-alikes, clean and in every month: an old patient who dies on the
 * day of discharge from their last stay (the day of death is a day of care), and persons newly
 * enrolled on the day of their first claim. The second pass labels every line the register rules
 * out, whichever claim of the person carries it.
 */
export interface PersonFacts {
  birthDate: string;
  enrolledFrom?: string;
  enrolledTo?: string;
  deathDate?: string;
  /** the register was changed by an injection */
  injected: boolean;
  firstDay: string;
  /** the latest end of a claim, and whether it is a stay's and its day */
  lastEnd: number;
  lastIsStay: boolean;
}

const REGISTERED_SINCE = '2000-01-01';

export class RegisterPlan {
  readonly persons = new Map<string, PersonFacts>();

  /** the first pass: every claim, in arrival order */
  add(d: DraftClaim) {
    const { person } = d.plan;
    let f = this.persons.get(person.id);
    const firstDay = cstDay(Math.min(d.plan.start, ...d.lines.map((l) => l.at)));
    if (!f) this.persons.set(person.id, (f = { birthDate: person.birthDate, injected: false, firstDay, lastEnd: 0, lastIsStay: false }));
    if (firstDay < f.firstDay) f.firstDay = firstDay;
    if (d.plan.end >= f.lastEnd) {
      f.lastEnd = d.plan.end;
      f.lastIsStay = d.plan.kind === 'inpatient';
    }
    if (!d.personEvent) return;
    const before = cstDay(d.plan.start - (1 + (hash32(`${d.plan.claimId}|register`) % 20)) * DAY_MS);
    f.injected = true;
    if (d.personEvent === 'death' && (f.deathDate === undefined || before < f.deathDate)) f.deathDate = before;
    if (d.personEvent === 'lapse' && (f.enrolledTo === undefined || before < f.enrolledTo)) f.enrolledTo = before;
  }

  /** after the first pass: the look-alikes */
  seal() {
    for (const [id, f] of this.persons) {
      if (f.injected) continue;
      const h = hash32(`${id}|register-look-alike`);
      if (f.lastIsStay && ageYears(f.birthDate, f.lastEnd) >= 75 && h % 8 === 0) f.deathDate = cstDay(f.lastEnd);
      else if (h % 40 === 1) f.enrolledFrom = f.firstDay;
    }
  }

  records(): PersonRegisterRecord[] {
    return [...this.persons].map(([personId, f]) => ({
      personId,
      enrolledFrom: f.enrolledFrom ?? (f.birthDate > REGISTERED_SINCE ? f.birthDate : REGISTERED_SINCE),
      ...(f.enrolledTo ? { enrolledTo: f.enrolledTo } : {}),
      ...(f.deathDate ? { deathDate: f.deathDate } : {}),
      validFrom: REGISTERED_SINCE,
    }));
  }

  /** the second pass: labels the lines after the person's death or outside their enrolment */
  label(d: DraftClaim) {
    const f = this.persons.get(d.plan.person.id);
    if (!f) return;
    const enrolledFrom = f.enrolledFrom ?? REGISTERED_SINCE;
    const afterDeath: string[] = [];
    const outside: string[] = [];
    for (const l of d.lines) {
      const day = cstDay(l.at);
      if (f.deathDate !== undefined && day > f.deathDate) afterDeath.push(l.lineId);
      if (day < enrolledFrom || (f.enrolledTo !== undefined && day > f.enrolledTo)) outside.push(l.lineId);
    }
    if (afterDeath.length > 0) d.label({ family: 'person-status', variant: 'after-death', lines: afterDeath });
    if (outside.length > 0) d.label({ family: 'person-status', variant: 'not-enrolled', lines: outside });
  }
}
