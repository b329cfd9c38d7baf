import { catalogueItems, doctors, examRecognition, institutions, itemIndications, serviceScopes, itemRelations, personRegister, stockRecords } from '../db/schema.js';
import { formatTenThousandths, tenThousandthsFrom } from '../lib/money.js';
import { maskPersonalData } from '../lib/personal-data.js';
import type {
  CatalogueItemRecord,
  DoctorRecord,
  ExamRecognitionRecord,
  InstitutionRecord,
  ServiceScopeRecord,
  ItemIndicationRecord,
  ItemRelationRecord,
  PersonRegisterRecord,
  ReferenceKind,
  StockRecordInput,
} from './reference.schema.js';

/**
 * Records ⇄ rows. Decimals are normalised to 4-place strings on the way in, so "45", 45 and
 * "45.0000" store identically and a re-import of the same data changes nothing but updated_at.
 */
export type DbRow = Record<string, unknown>;

/** The fields that identify one stored row (the table's primary key), per kind. */
export const RECORD_KEYS = {
  institutions: ['institutionId', 'validFrom'],
  'catalogue-items': ['itemCode', 'validFrom'],
  'item-relations': ['kind', 'mainCode', 'subCode', 'validFrom'],
  'stock-records': ['institutionId', 'itemCode', 'month'],
  'person-register': ['personHash', 'validFrom'],
  'item-indications': ['itemCode', 'validFrom'],
  'exam-recognition': ['itemCode', 'validFrom'],
  'service-scopes': ['institutionId', 'validFrom'],
  doctors: ['doctorId', 'validFrom'],
} as const satisfies Record<ReferenceKind, readonly string[]>;

export const recordKey = (kind: ReferenceKind, r: Record<string, unknown>) => RECORD_KEYS[kind].map((f) => String(r[f] ?? (f === 'personHash' ? `id:${String(r.personId)}` : r[f]))).join('\u0000');

const decimal = (v: number | string) => formatTenThousandths(tenThousandthsFrom(v) as number);
const optionalDecimal = (v: number | string | undefined) => (v === undefined ? null : decimal(v));
const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

export const toRow = {
  institutions: (r: InstitutionRecord): typeof institutions.$inferInsert => ({
    institutionId: r.institutionId,
    validFrom: r.validFrom,
    validTo: r.validTo ?? null,
    name: r.name,
    type: r.type,
    level: r.level,
    ownership: r.ownership,
    area: r.area,
    beds: r.beds,
    designatedFrom: r.designatedFrom,
    designatedTo: r.designatedTo ?? null,
    zeroMarkup: r.zeroMarkup ?? false,
  }),
  'catalogue-items': (r: CatalogueItemRecord): typeof catalogueItems.$inferInsert => ({
    itemCode: r.itemCode,
    validFrom: r.validFrom,
    validTo: r.validTo ?? null,
    name: r.name,
    category: r.category,
    unit: r.unit,
    priceCeilingPrimary: optionalDecimal(r.priceCeiling.primary),
    priceCeilingSecondary: optionalDecimal(r.priceCeiling.secondary),
    priceCeilingTertiary: optionalDecimal(r.priceCeiling.tertiary),
    restrictions: r.restrictions,
  }),
  'item-relations': (r: ItemRelationRecord): typeof itemRelations.$inferInsert => ({
    kind: r.kind,
    mainCode: r.mainCode,
    subCode: r.subCode,
    window: r.window ?? null,
    validFrom: r.validFrom,
    validTo: r.validTo ?? null,
    source: r.source,
    note: r.note === undefined ? null : maskPersonalData(r.note),
  }),
  'stock-records': (r: StockRecordInput): typeof stockRecords.$inferInsert => ({
    institutionId: r.institutionId,
    itemCode: r.itemCode,
    month: r.month,
    openingQuantity: decimal(r.openingQuantity),
    purchasedQuantity: decimal(r.purchasedQuantity),
    purchasePrice: optionalDecimal(r.purchasePrice),
  }),
  /** the record's personId must already be its keyed hash in personHash (reference.repository.ts) */
  'person-register': (r: PersonRegisterRecord): typeof personRegister.$inferInsert => ({
    personHash: r.personHash as string,
    validFrom: r.validFrom,
    validTo: r.validTo ?? null,
    enrolledFrom: r.enrolledFrom,
    enrolledTo: r.enrolledTo ?? null,
    deathDate: r.deathDate ?? null,
  }),
  /** prefixes upper-cased, so "j45" and "J45" store (and match) alike */
  'item-indications': (r: ItemIndicationRecord): typeof itemIndications.$inferInsert => ({
    itemCode: r.itemCode,
    validFrom: r.validFrom,
    validTo: r.validTo ?? null,
    allowed: r.allowed.map((s) => s.toUpperCase()),
    excluded: r.excluded.map((s) => s.toUpperCase()),
    source: r.source ?? null,
  }),
  'exam-recognition': (r: ExamRecognitionRecord): typeof examRecognition.$inferInsert => ({
    itemCode: r.itemCode,
    validFrom: r.validFrom,
    validTo: r.validTo ?? null,
    examGroup: r.group ?? null,
    windowDays: r.windowDays,
    source: r.source ?? null,
  }),
  /** department prefixes upper-cased, as claims' department codes are compared */
  'service-scopes': (r: ServiceScopeRecord): typeof serviceScopes.$inferInsert => ({
    institutionId: r.institutionId,
    validFrom: r.validFrom,
    validTo: r.validTo ?? null,
    categories: [...new Set(r.categories)],
    visitTypes: [...new Set(r.visitTypes)],
    departments: [...new Set(r.departments.map((d) => d.toUpperCase()))],
    source: r.source ?? null,
  }),
  doctors: (r: DoctorRecord): typeof doctors.$inferInsert => ({
    doctorId: r.doctorId,
    validFrom: r.validFrom,
    validTo: r.validTo ?? null,
    institutionId: r.institutionId,
    outpatientPerDay: r.outpatientPerDay ?? null,
    admissionsPerDay: r.admissionsPerDay ?? null,
    source: r.source ?? null,
  }),
};

/** Raw-SQL select lists: dates and decimals as text, so both drivers hand back the same strings. */
export const SELECT = {
  institutions: `institution_id, valid_from::text as valid_from, valid_to::text as valid_to, name, type, level,
    ownership, area, beds, designated_from::text as designated_from, designated_to::text as designated_to, zero_markup`,
  'catalogue-items': `item_code, valid_from::text as valid_from, valid_to::text as valid_to, name, category, unit,
    price_ceiling_primary::text as p1, price_ceiling_secondary::text as p2, price_ceiling_tertiary::text as p3, restrictions`,
  'item-relations': `kind, main_code, sub_code, "window", valid_from::text as valid_from, valid_to::text as valid_to, source, note`,
  'stock-records': `institution_id, item_code, month, opening_quantity::text as opening_quantity,
    purchased_quantity::text as purchased_quantity, purchase_price::text as purchase_price`,
  'person-register': `person_hash, valid_from::text as valid_from, valid_to::text as valid_to, enrolled_from::text as enrolled_from,
    enrolled_to::text as enrolled_to, death_date::text as death_date`,
  'item-indications': `item_code, valid_from::text as valid_from, valid_to::text as valid_to, allowed, excluded, source`,
  'exam-recognition': `item_code, valid_from::text as valid_from, valid_to::text as valid_to, exam_group, window_days, source`,
  'service-scopes': `institution_id, valid_from::text as valid_from, valid_to::text as valid_to, categories, visit_types, departments, source`,
  doctors: `doctor_id, valid_from::text as valid_from, valid_to::text as valid_to, institution_id, outpatient_per_day, admissions_per_day, source`,
} as const;

/** Omits absent optional fields rather than answering null, matching the input schemas. */
const compact = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export const fromRow = {
  institutions: (r: DbRow) =>
    compact({
      institutionId: String(r.institution_id),
      name: String(r.name),
      type: r.type as InstitutionRecord['type'],
      level: r.level as InstitutionRecord['level'],
      ownership: r.ownership as InstitutionRecord['ownership'],
      area: String(r.area),
      beds: Number(r.beds),
      designatedFrom: String(r.designated_from),
      designatedTo: text(r.designated_to),
      zeroMarkup: r.zero_markup === true || r.zero_markup === 't' ? true : undefined,
      validFrom: String(r.valid_from),
      validTo: text(r.valid_to),
    }),
  'catalogue-items': (r: DbRow) =>
    compact({
      itemCode: String(r.item_code),
      name: String(r.name),
      category: r.category as CatalogueItemRecord['category'],
      unit: String(r.unit),
      priceCeiling: compact({ primary: text(r.p1), secondary: text(r.p2), tertiary: text(r.p3) }),
      restrictions: json(r.restrictions) as CatalogueItemRecord['restrictions'],
      validFrom: String(r.valid_from),
      validTo: text(r.valid_to),
    }),
  'item-relations': (r: DbRow) =>
    compact({
      kind: r.kind as ItemRelationRecord['kind'],
      mainCode: String(r.main_code),
      subCode: String(r.sub_code),
      window: text(r.window) as ItemRelationRecord['window'],
      source: String(r.source),
      note: text(r.note),
      validFrom: String(r.valid_from),
      validTo: text(r.valid_to),
    }),
  'stock-records': (r: DbRow) =>
    compact({
      institutionId: String(r.institution_id),
      itemCode: String(r.item_code),
      month: String(r.month),
      openingQuantity: String(r.opening_quantity),
      purchasedQuantity: String(r.purchased_quantity),
      purchasePrice: text(r.purchase_price),
    }),
  'person-register': (r: DbRow) =>
    compact({
      personHash: String(r.person_hash),
      enrolledFrom: String(r.enrolled_from),
      enrolledTo: text(r.enrolled_to),
      deathDate: text(r.death_date),
      validFrom: String(r.valid_from),
      validTo: text(r.valid_to),
    }),
  'item-indications': (r: DbRow) =>
    compact({
      itemCode: String(r.item_code),
      allowed: json(r.allowed) as unknown as string[],
      excluded: json(r.excluded) as unknown as string[],
      source: text(r.source),
      validFrom: String(r.valid_from),
      validTo: text(r.valid_to),
    }),
  'exam-recognition': (r: DbRow) =>
    compact({
      itemCode: String(r.item_code),
      group: text(r.exam_group),
      windowDays: Number(r.window_days),
      source: text(r.source),
      validFrom: String(r.valid_from),
      validTo: text(r.valid_to),
    }),
  'service-scopes': (r: DbRow) =>
    compact({
      institutionId: String(r.institution_id),
      categories: json(r.categories) as unknown as ServiceScopeRecord['categories'],
      visitTypes: json(r.visit_types) as unknown as ServiceScopeRecord['visitTypes'],
      departments: json(r.departments) as unknown as string[],
      source: text(r.source),
      validFrom: String(r.valid_from),
      validTo: text(r.valid_to),
    }),
  doctors: (r: DbRow) =>
    compact({
      doctorId: String(r.doctor_id),
      institutionId: String(r.institution_id),
      outpatientPerDay: r.outpatient_per_day === null || r.outpatient_per_day === undefined ? undefined : Number(r.outpatient_per_day),
      admissionsPerDay: r.admissions_per_day === null || r.admissions_per_day === undefined ? undefined : Number(r.admissions_per_day),
      source: text(r.source),
      validFrom: String(r.valid_from),
      validTo: text(r.valid_to),
    }),
};
