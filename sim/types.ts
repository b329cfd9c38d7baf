import type { Family } from '../rules/engine.js';
import type { CatalogueItemRecord, InstitutionRecord } from '../src/reference/reference.schema.js';

/** The simulator's own shapes. Money is integer fen; unit prices and quantities are scaled by 10^4. */

export type Category = CatalogueItemRecord['category'];
export type Restrictions = NonNullable<CatalogueItemRecord['restrictions']>;
export type VisitKind = 'outpatient' | 'inpatient' | 'pharmacy';

export interface SimItem {
  code: string;
  name: string;
  category: Category;
  unit: string;
  /** the tertiary-level ceiling in fen */
  ceilingFen: number;
  restrictions?: Restrictions;
  /** where the code comes from: a shared NHSA list, the national code structure, or invented here */
  source: 'list' | 'structure' | 'made-up';
  /** drugs and consumables: the specification printed on the line */
  spec?: string;
  /** drugs: how many days one unit (box) lasts, to turn days of supply into a quantity */
  unitDays?: number;
}

export interface SimInstitution {
  id: string;
  name: string;
  type: InstitutionRecord['type'];
  level: InstitutionRecord['level'];
  ownership: InstitutionRecord['ownership'];
  area: string;
  beds: number;
  designatedFrom: string;
  /** days (CST, inclusive) on which the designation was suspended while billing went on */
  suspended?: { from: string; to: string };
  fraudulent: boolean;
  /** what a fraudulent institution does differently, for the institution-level truth */
  behaviours: string[];
  admissionsPerDay: number;
  outpatientPerDay: number;
  pharmacyPerDay: number;
  /** share of the ceiling this institution charges, in percent */
  pricePct: number;
  /** length-of-stay multiplier (fraudulent institutions keep patients longer) */
  stayFactor: number;
  /** multiplier of the share of claims given an injected violation (default: 3 if fraudulent, else 1) */
  violationFactor?: number;
  /** per violation family, a multiplier of its weight among the variants drawn here (a fraud style's intensity) */
  familyWeights?: Record<string, number>;
}

export interface Person {
  index: number;
  id: string;
  sex: 'male' | 'female';
  birthDate: string;
  /** employees (职工) have a personal account; residents (居民) do not */
  employee: boolean;
  /** receives medical assistance (医疗救助) */
  assisted: boolean;
}

export interface ClaimRef {
  institutionId: string;
  claimId: string;
}

/** What was injected into one claim, on which lines: the truth a rule's findings are judged against. */
export interface ViolationTruth {
  type: 'violation';
  claim: ClaimRef;
  family: Family;
  variant: string;
  /** the lines that break the rule */
  lines: string[];
  /** lines of this claim that make them so (the package, the main item, the earlier copy) */
  involvedLines: string[];
  otherClaims: ClaimRef[];
}

export interface InstitutionTruth {
  type: 'institution';
  institutionId: string;
  fraudulent: boolean;
  behaviours: string[];
}

/** A fee line before it is written out. */
export interface DraftLine {
  lineId: string;
  item: SimItem;
  hospitalItemCode: string;
  hospitalItemName: string;
  at: number;
  quantity: number;
  unitPrice: number;
  daysOfSupply?: number;
  /** sold without a prescription: the line names no prescribing doctor */
  noPrescription?: boolean;
  /** billed as this item but bought (and dispensed) as the cheap look-alike: the ledger shows that one */
  boughtAs?: SimItem;
}
