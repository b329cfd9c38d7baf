import type { Claim, VisitType } from '../claim.js';
import type { ClaimRef } from '../finding.js';

/**
 * The institution window: other claims of the claim's institution, read in the same statement as
 * the person's history (src/screening/history.repository.ts), bounded in time and in rows. Rules
 * that judge an institution's volume (a burst of cards, a doctor's day, the beds, a cluster of
 * admissions) see only this, never the institution's whole month.
 */
export interface WindowClaim {
  claimNo: string;
  personHash: string;
  visitType: VisitType;
  startedAt: number;
  endedAt: number;
  mainDiagnosis?: string | undefined;
  /** the claim's lines in order, as [lineId, itemCode] */
  lines: readonly (readonly [string, string])[];
  /** an operation line was billed */
  operation: boolean;
  /** being screened beside this claim and perhaps not stored yet (a finding filed on it waits for it to be written: src/claims/screen-claim.ts) */
  pending?: boolean | undefined;
}

/** What the window reads, and its bounds (the rules' parameters cannot reach beyond them). */
export const WINDOW = {
  /** outpatient and pharmacy claims started this many minutes either side of the claim's start */
  nearbyMinutes: 30,
  nearbyMax: 100,
  /** inpatient stays of at most this many days admitted this many days either side of the admission */
  admissionDays: 7,
  admissionMaxStay: 3,
  admissionsMax: 200,
  /** claims of a doctor's day read at most */
  doctorDayMax: 1000,
  /** in process (bench/in-process.ts), stays counted in a census: admitted at most this many days before the night */
  censusLookbackDays: 365,
} as const;

export interface InstitutionWindow {
  /** outpatient and pharmacy claims started within `nearbyMinutes` of this one (for an outpatient or pharmacy claim) */
  nearby: readonly WindowClaim[];
  /** short stays admitted within `admissionDays` of this admission (for a stay of at most `admissionMaxStay` days) */
  admissions: readonly WindowClaim[];
  /** other claims of the same visit type started on the claim's service day whose first line names the claim's doctor */
  doctorDay: number;
  /** their claim numbers, when the reader has them (to count a claim read twice once) */
  doctorDayClaims?: readonly string[] | undefined;
  /** other stays at the institution at midnight after this claim's admission day (the midnight census) */
  census: number;
}

export const emptyWindow: InstitutionWindow = { nearby: [], admissions: [], doctorDay: 0, census: 0 };

/** A reference to a window claim naming its lines: a finding filed retrospectively on it. */
export const windowRef = (institutionId: string, w: WindowClaim, withLines: boolean): ClaimRef =>
  withLines ? { institutionId, claimId: w.claimNo, lines: w.lines.map(([id]) => id) } : { institutionId, claimId: w.claimNo };

/** The doctor a claim names: its first line's (the line the window's doctor count reads too). */
export const doctorOf = (c: Claim): string | undefined => c.lines[0]?.doctorId;

/** Fixtures: a window claim from a claim. */
export function asWindowClaim(c: Claim): WindowClaim {
  return {
    claimNo: c.claimNo,
    personHash: c.personHash,
    visitType: c.visitType,
    startedAt: c.startedAt,
    endedAt: c.endedAt,
    mainDiagnosis: c.diagnoses.find((d) => d.main)?.code,
    lines: c.lines.map((l) => [l.lineId, l.itemCode] as const),
    operation: c.lines.some((l) => l.category === 'operation'),
  };
}
