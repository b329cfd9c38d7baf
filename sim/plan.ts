import type { Random } from './random.js';
import type { ClaimRef, DraftLine, Person, SimInstitution, SimItem, VisitKind } from './types.js';

/**
 * A visit decided but not yet written out: who, where, when, and which injections it carries.
 * Plans are small; a stay's lines are built only when its claim arrives, so the stays in progress
 * cost little memory however large the run.
 */
export interface Diagnosis {
  code: string;
  name: string;
}

interface ProfileBase {
  diag: Diagnosis;
  /** relative frequency at tertiary, secondary and primary institutions */
  weight: readonly [number, number, number];
  ages: readonly [number, number];
  sex?: 'male' | 'female';
  dept?: readonly [string, string];
}

export interface VisitProfile extends ProfileBase {
  kind: 'outpatient' | 'pharmacy';
  /** a pharmacy purchase of over-the-counter goods carries no diagnosis */
  noDiagnosis?: boolean;
  /** dispenses a month of a chronic drug the fund gives a daily dose (the person book spaces these) */
  chronic?: boolean;
  build(d: ClaimDraft): void;
}

export interface StayProfile extends ProfileBase {
  kind: 'inpatient';
  losMedian: number;
  minNights?: number;
  /** intensive days are spent on a monitored bed (cardiac care), not only under first-grade nursing */
  monitored?: boolean;
  hospitalOnly?: boolean;
  minLevel?: 'secondary' | 'tertiary';
  /** planned cycles (chemotherapy): readmission is expected, never split hospitalisation */
  planned?: boolean;
  /** a drug of the stay has a paid course (14 days) that a long stay can overrun */
  courseLimited?: boolean;
  secondary?: Diagnosis;
  /** lines of day k of the stay (0 = admission day), besides bed, nursing and the daily visit */
  day(d: ClaimDraft, k: number, nights: number): void;
  /** first days on a monitored bed and first-grade nursing */
  intensiveDays?: (d: ClaimDraft) => number;
  /** take-home drugs at discharge */
  discharge?(d: ClaimDraft, at: number): void;
}

export type Profile = VisitProfile | StayProfile;

/** What a profile writes its lines through: the claim being drafted (DraftClaim, ./draft.ts). */
export interface ClaimDraft {
  readonly plan: VisitPlan;
  readonly rng: Random;
  readonly inst: SimInstitution;
  readonly isChild: boolean;
  /** an instant on day k of the visit or stay at the given CST hour and minute */
  at(k: number, hour: number, minute?: number): number;
  add(item: SimItem, at: number, quantity?: number, extra?: { daysOfSupply?: number; unitPrice?: number }): DraftLine;
  /** a take-home drug for a number of days */
  drug(item: SimItem, at: number, days: number): DraftLine;
  /** diagnoses written after the profile's own (a comorbidity, or an injected contradiction) */
  readonly extraDiagnoses: { code: string; name: string }[];
}

/** A truth decided when planning, resolved into line ids when the claim is built. */
export type PlanLabel =
  | { variant: 'resubmitted'; other: ClaimRef }
  | { variant: 'readmission'; other: ClaimRef }
  | { variant: 'times-per-cycle'; other: ClaimRef }
  | { variant: 'visit-during-stay'; other: ClaimRef; day: string }
  | { variant: 'overlap'; other: ClaimRef; from: number; to: number }
  | { variant: 'empty-days'; from: number }
  | { variant: 'course-length' }
  | { variant: 'low-standard-admission' }
  | { variant: 'exam-repeat'; other: ClaimRef }
  | { variant: 'travel-impossible'; other: ClaimRef }
  | { variant: 'card-burst' }
  | { variant: 'doctor-overload' }
  | { variant: 'admission-cluster' }
  | { variant: 'ghost-stays' }
  | { variant: 'over-supply'; other: ClaimRef }
  | { variant: 'multi-pharmacy'; others: ClaimRef[] };

export interface VisitPlan {
  claimId: string;
  /** the key content randomness is drawn from: the claim id, or the original's for a resubmission */
  contentKey: string;
  kind: VisitKind;
  inst: SimInstitution;
  person: Person;
  profile: Profile;
  /** visit time, or admission */
  start: number;
  /** visit time, or discharge */
  end: number;
  /** when the settlement system sends the claim */
  arrival: number;
  /** settled days after the service ended */
  late: boolean;
  /** nights in hospital (inpatient), the last `emptyNights` of them with nothing but the bed */
  nights: number;
  emptyNights: number;
  hba1c: boolean;
  /** a recognised exam the visit bills (sim/inject-history.ts) */
  exam?: SimItem;
  /** the days of supply of the visit's chronic drugs, when an injection or a refill sets them (no optional extras then) */
  supplyDays?: number;
  /** a visit for a test only: no chronic drug taken home */
  noTakeHome?: boolean;
  /** draw a line-level injection when the claim is built */
  lineInjection: boolean;
  labels: PlanLabel[];
  /** tie-break for plans arriving at the same instant: order of planning */
  seq: number;
  /** the doctor every line names, when an injection decides it (else drawn when written out) */
  doctorId?: string;
}

export const refOf = (plan: VisitPlan): ClaimRef => ({ institutionId: plan.inst.id, claimId: plan.claimId });
