/**
 * The claim as rules see it: plain data, normalised. Money is integer fen, quantities and unit
 * prices are integers scaled by 10^4, instants are epoch milliseconds, service dates are
 * China Standard Time calendar dates (yyyy-MM-dd).
 */
export type VisitType = 'outpatient' | 'inpatient' | 'pharmacy';
export type LineCategory =
  | 'drug'
  | 'consumable'
  | 'service'
  | 'bed'
  | 'nursing'
  | 'exam'
  | 'lab'
  | 'operation';

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
  lines: ClaimLine[];
  totalFen: number;
  payment: { fundFen: number; personalAccountFen: number; medicalAssistanceFen: number; cashFen: number };
}
