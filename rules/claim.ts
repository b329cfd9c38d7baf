/**
 * The claim as rules see it: plain data, normalised. Money is integer fen, quantities and unit
 * prices are integers scaled by 10^4, instants are epoch milliseconds, service dates are
 * China Standard Time calendar dates (yyyy-MM-dd).
 */
export type VisitType = 'outpatient' | 'inpatient' | 'pharmacy';
export type LineCategory = 'drug' | 'consumable' | 'service' | 'bed' | 'nursing' | 'exam' | 'lab' | 'operation';

export interface ClaimLine {
  lineNo: number;
  lineId: string;
  itemCode: string;
  hospitalItemCode?: string | undefined;
  hospitalItemName?: string | undefined;
  category: LineCategory;
  serviceAt: number;
  serviceDate: string;
  quantity: number;
  unitPrice: number;
  amountFen: number;
  specification?: string | undefined;
  daysOfSupply?: number | undefined;
  doctorId?: string | undefined;
  departmentCode?: string | undefined;
  departmentName?: string | undefined;
}

export interface Diagnosis {
  code: string;
  name?: string | undefined;
  main: boolean;
}

/**
 * The claimant's declaration of how an injury came about (外伤原因), sent with an injury claim:
 * whether a third party (another driver, an employer, an assailant) is liable for the cost, which
 * the fund then does not bear (应由第三人负担).
 */
export type InjuryCause = 'fall' | 'sport' | 'household' | 'traffic' | 'work' | 'assault' | 'self-inflicted' | 'animal' | 'other';
export interface InjuryDeclaration {
  cause: InjuryCause;
  /** none: nobody else is liable; liable: a third party is; unknown: not yet established */
  thirdParty: 'none' | 'liable' | 'unknown';
}

export interface Claim {
  institutionId: string;
  claimNo: string;
  personHash: string;
  sex: 'male' | 'female';
  birthDate: string;
  visitType: VisitType;
  medType?: string | undefined;
  admittedAt?: number | undefined;
  dischargedAt?: number | undefined;
  visitAt?: number | undefined;
  /** admission, or the visit time; for a claim without either, its first line */
  startedAt: number;
  /** discharge, or the visit time; never before startedAt */
  endedAt: number;
  settledAt?: number | undefined;
  departmentCode?: string | undefined;
  diagnoses: Diagnosis[];
  mainDiagnosis?: string | undefined;
  /** the injury declaration, when one was sent */
  injury?: InjuryDeclaration | undefined;
  lines: ClaimLine[];
  totalFen: number;
  payment: { fundFen: number; personalAccountFen: number; medicalAssistanceFen: number; cashFen: number };
}

/**
 * Of two claims, the one submitted first, judged the same whichever of them arrived first: the
 * earlier settlement time (a claim without one after every claim with one), then the smaller claim
 * number (institutions number their claims in sequence; shorter first, then by character), then
 * the institution: a total order, so three or more claims sort the same in any arrival order. A
 * copy of a line or of a visit is the claim submitted second. Negative when `a` was submitted first.
 */
export function compareSubmission(a: Claim, b: Claim): number {
  const sa = a.settledAt ?? Infinity;
  const sb = b.settledAt ?? Infinity;
  if (sa !== sb) return sa < sb ? -1 : 1;
  const byNo = a.claimNo.length - b.claimNo.length || (a.claimNo < b.claimNo ? -1 : a.claimNo > b.claimNo ? 1 : 0);
  return byNo || (a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0);
}
