import type { LineCategory, VisitType } from './claim.js';

/**
 * Reference data as rules see it: plain records and in-memory lookups, assembled outside the
 * rules. Prices and quantities are integers scaled by 10^4; dates are yyyy-MM-dd.
 */
export type InstitutionLevel = 'primary' | 'secondary' | 'tertiary' | 'none';

export interface InstitutionRef {
  institutionId: string;
  name: string;
  type: 'hospital' | 'clinic' | 'pharmacy';
  level: InstitutionLevel;
  ownership: 'public' | 'private';
  area: string;
  beds: number;
  designatedFrom: string;
  designatedTo?: string | undefined;
  /** zero markup (药品零差率) applies: drugs are billed at their purchase price */
  zeroMarkup?: boolean | undefined;
}

export interface Restrictions {
  sex?: 'male' | 'female' | undefined;
  minAgeYears?: number | undefined;
  maxAgeYears?: number | undefined;
  careSettings?: VisitType[] | undefined;
  minInstitutionLevel?: Exclude<InstitutionLevel, 'none'> | undefined;
  unitsPerDay?: number | undefined;
  timesPerCycle?: { times: number; cycleDays: number } | undefined;
  courseDays?: number | undefined;
  maxDaysOfSupply?: number | undefined;
  lookAlikeOf?: string[] | undefined;
  /** operations through one incision: the second and later of a group are billed at a discount */
  operationGroup?: string | undefined;
  /** drug paid only under these insurance types (the claim carries none yet: not judged) */
  insuranceTypes?: string[] | undefined;
  /** a drug's daily dose (限定日剂量, DDD-like), in the units `packUnits` counts: 2 (tablets a day) */
  dailyDose?: number | undefined;
  /** how many of those units one billed unit of the item holds: 30 (tablets a box); 1 when billed by the tablet */
  packUnits?: number | undefined;
  /** a prescription-only drug (处方药): a retail pharmacy sells it against a doctor's prescription only */
  prescriptionOnly?: boolean | undefined;
}

export interface CatalogueItemRef {
  itemCode: string;
  name: string;
  category: 'drug' | 'consumable' | 'service' | 'bed' | 'nursing' | 'exam' | 'lab' | 'operation';
  unit: string;
  priceCeiling: { primary?: number | undefined; secondary?: number | undefined; tertiary?: number | undefined };
  restrictions: Restrictions;
}

export type RelationWindow = 'same_hour' | 'six_hours' | 'same_day' | 'same_visit';

export interface RelationRef {
  kind: 'includes' | 'package';
  mainCode: string;
  subCode: string;
  window?: RelationWindow | undefined;
  source: string;
}

export interface StockRef {
  openingQuantity: number;
  purchasedQuantity: number;
  /** the unit price paid in the month (scaled by 10^4, as unit prices), when reported */
  purchasePrice?: number | undefined;
}

/** The fund's register entry of a person: enrolment and death (dates yyyy-MM-dd). */
export interface PersonRef {
  enrolledFrom: string;
  enrolledTo?: string | undefined;
  deathDate?: string | undefined;
}

/** One version of a person's register entry, with its validity. */
export interface PersonVersion extends PersonRef {
  validFrom: string;
  validTo?: string | undefined;
}

/** The version valid on the date; where versions overlap, the latest validFrom wins. */
export function personAt(versions: readonly PersonVersion[], date: string): PersonRef | undefined {
  let best: PersonVersion | undefined;
  for (const v of versions) {
    if (v.validFrom > date || (v.validTo !== undefined && v.validTo < date)) continue;
    if (!best || v.validFrom > best.validFrom) best = v;
  }
  return best;
}

/**
 * A catalogue item's indications (适应症): ICD-10 prefixes, upper-case ("J45", "E11.9"), of the
 * diagnoses it is paid for (empty: any not excluded) and of those it is never paid for.
 */
export interface IndicationRef {
  allowed: readonly string[];
  excluded: readonly string[];
}

/**
 * A recognised exam (检查检验结果互认): a result within `windowDays` days stands at another
 * institution; items of one `group` count as the same exam (the group, else the item code).
 */
export interface ExamRecognitionRef {
  group: string;
  windowDays: number;
}

/**
 * An institution's service scope (服务范围): the line categories, care settings and department-code
 * prefixes it may bill; an empty list does not limit.
 */
export interface ServiceScopeRef {
  categories: readonly LineCategory[];
  visitTypes: readonly VisitType[];
  departments: readonly string[];
}

/**
 * A doctor registered at an institution (医师) and how many claims of each visit kind the doctor
 * can see in one day: outpatient visits, and admissions.
 */
export interface DoctorRef {
  doctorId: string;
  institutionId: string;
  outpatientPerDay?: number | undefined;
  admissionsPerDay?: number | undefined;
}

export interface ReferenceView {
  /** the institution's record valid on the date, if any */
  institution(institutionId: string, date: string): InstitutionRef | undefined;
  /** the catalogue item's record valid on the date, if any */
  item(itemCode: string, date: string): CatalogueItemRef | undefined;
  /** relations valid on the date in which the code is the main item or the package */
  relationsOfMain(itemCode: string, date: string): readonly RelationRef[];
  /** relations valid on the date in which the code is the sub-item or a part of a package */
  relationsOfSub(itemCode: string, date: string): readonly RelationRef[];
  stock(institutionId: string, itemCode: string, month: string): StockRef | undefined;
  /**
   * false when the view holds no stock record at all (most claims' views), so `stock` answers
   * undefined for every item and a rule need not ask line by line; absent or true: ask
   */
  hasStock?(): boolean;
  /** how many items the fund's catalogue holds (0: none loaded, so no code can be judged unlisted) */
  catalogueSize(): number;
  /** the person's register entry valid on the date (only the claim's person is at hand), if any */
  person(personHash: string, date: string): PersonRef | undefined;
  /**
   * the unit price the institution paid for the item in the month (yyyy-MM), from its stock record:
   * the claim's first month's and, for a claim across a month end, its last month's
   */
  purchasePrice(institutionId: string, itemCode: string, month: string): number | undefined;
  /** the item's indications valid on the date, if the fund lists any */
  indications(itemCode: string, date: string): IndicationRef | undefined;
  /** the item's entry in the exam mutual-recognition list valid on the date, if it is listed */
  examRecognition(itemCode: string, date: string): ExamRecognitionRef | undefined;
  /** the institution's service scope valid on the date, if the fund records one */
  serviceScope(institutionId: string, date: string): ServiceScopeRef | undefined;
  /** the doctor's register entry valid on the date, if the fund lists the doctor */
  doctor(doctorId: string, date: string): DoctorRef | undefined;
}

/** A reference view with nothing in it: every lookup misses. */
export const emptyReference: ReferenceView = {
  institution: () => undefined,
  item: () => undefined,
  relationsOfMain: () => [],
  relationsOfSub: () => [],
  stock: () => undefined,
  catalogueSize: () => 0,
  person: () => undefined,
  indications: () => undefined,
  purchasePrice: () => undefined,
  examRecognition: () => undefined,
  serviceScope: () => undefined,
  doctor: () => undefined,
};
