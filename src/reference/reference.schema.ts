import { z } from '@hono/zod-openapi';
import { tenThousandthsFrom } from '../lib/money.js';
import { parseDate } from '../lib/time.js';

/**
 * Reference data the rules need. Every record carries validity dates; a change is a new record
 * with a later validFrom, so rules can ask what held on a service date.
 */

const day = z
  .string()
  .refine((s) => parseDate(s) !== undefined, { message: 'must be a date yyyy-MM-dd' })
  .openapi({ example: '2026-01-01' });

const name = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u001F\u007F]/.test(s), 'must not contain control characters');

const code = (max: number) =>
  z
    .string()
    .regex(/^[0-9A-Za-z._-]+$/, 'must contain only letters, digits, ".", "_" and "-"')
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

const price = z
  .union([z.number(), z.string().max(24)])
  .refine((v) => {
    const n = tenThousandthsFrom(v);
    return n !== undefined && n >= 0;
  }, 'must be a non-negative decimal with at most 4 decimal places')
  .openapi({ type: 'string', example: '45.0000' });

const validity = {
  validFrom: day,
  validTo: day.optional().openapi({ description: 'last day of validity; open-ended when absent' }),
};

function validTo<T extends { validFrom: string; validTo?: string | undefined }>(r: T, ctx: z.RefinementCtx) {
  if (r.validTo !== undefined && r.validTo < r.validFrom) ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must not be before validFrom' });
}

export const INSTITUTION_TYPES = ['hospital', 'clinic', 'pharmacy'] as const;
export const INSTITUTION_LEVELS = ['primary', 'secondary', 'tertiary', 'none'] as const;

export const InstitutionSchema = z
  .object({
    institutionId: code(32).openapi({ example: 'H32010200001' }),
    name: name(200),
    type: z.enum(INSTITUTION_TYPES).openapi({ description: 'hospital, grassroots clinic, or retail pharmacy' }),
    level: z.enum(INSTITUTION_LEVELS),
    ownership: z.enum(['public', 'private']),
    area: z
      .string()
      .regex(/^\d{6}$/, 'must be a 6-digit administrative area code')
      .openapi({ example: '320102' }),
    beds: z.number().int().min(0).max(100_000),
    designatedFrom: day,
    designatedTo: day.optional(),
    zeroMarkup: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .openapi({ description: 'zero markup (药品零差率) applies: drugs are billed at their purchase price (stock records’ purchasePrice); false when absent' }),
    ...validity,
  })
  .strict()
  .superRefine((r, ctx) => {
    validTo(r, ctx);
    if (r.designatedTo !== undefined && r.designatedTo < r.designatedFrom) ctx.addIssue({ code: 'custom', path: ['designatedTo'], message: 'must not be before designatedFrom' });
  })
  .openapi('Institution');

export const CATALOGUE_CATEGORIES = ['drug', 'consumable', 'service', 'bed', 'nursing', 'exam', 'lab', 'operation'] as const;

export const RestrictionsSchema = z
  .object({
    sex: z.enum(['male', 'female']).optional().openapi({ description: 'only for this sex' }),
    minAgeYears: z.number().min(0).max(150).optional(),
    maxAgeYears: z.number().min(0).max(150).optional(),
    careSettings: z
      .array(z.enum(['outpatient', 'inpatient', 'pharmacy']))
      .min(1)
      .optional()
      .openapi({ description: 'paid only in these care settings' }),
    minInstitutionLevel: z.enum(['primary', 'secondary', 'tertiary']).optional(),
    unitsPerDay: z.number().positive().optional(),
    timesPerCycle: z.object({ times: z.number().int().positive(), cycleDays: z.number().int().positive() }).strict().optional(),
    courseDays: z.number().int().positive().optional().openapi({ description: 'longest paid course' }),
    maxDaysOfSupply: z.number().int().positive().optional(),
    lookAlikeOf: z.array(code(50)).optional().openapi({ description: 'cheaper items this one is a dearer look-alike of' }),
    dailyDose: z
      .number({ error: 'must be a number' })
      .positive('must be above 0')
      .max(100_000, 'must be at most 100000')
      .optional()
      .openapi({ description: 'a drug’s daily dose (DDD-like) in the units packUnits counts, e.g. 2 (tablets a day); with packUnits, turns a billed quantity into days of supply' }),
    packUnits: z
      .number({ error: 'must be a number' })
      .positive('must be above 0')
      .max(100_000, 'must be at most 100000')
      .optional()
      .openapi({ description: 'how many dose units one billed unit holds, e.g. 30 (tablets a box); 1 when billed by the tablet' }),
    prescriptionOnly: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .openapi({ description: 'a prescription-only drug (处方药): sold at a retail pharmacy only against a prescription (the line’s doctorId)' }),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.dailyDose === undefined) !== (r.packUnits === undefined))
      ctx.addIssue({ code: 'custom', path: [r.dailyDose === undefined ? 'dailyDose' : 'packUnits'], message: 'dailyDose and packUnits go together: both or neither' });
  })
  .openapi('Restrictions');

export const CatalogueItemSchema = z
  .object({
    itemCode: code(50).openapi({ example: '110200005' }),
    name: name(200),
    category: z.enum(CATALOGUE_CATEGORIES),
    unit: name(20),
    priceCeiling: z
      .object({ primary: price.optional(), secondary: price.optional(), tertiary: price.optional() })
      .strict()
      .default({})
      .openapi({ description: 'highest unit price per institution level' }),
    restrictions: RestrictionsSchema.default({}),
    ...validity,
  })
  .strict()
  .superRefine(validTo)
  .openapi('CatalogueItem');

export const RELATION_WINDOWS = ['same_hour', 'six_hours', 'same_day', 'same_visit'] as const;

export const ItemRelationSchema = z
  .object({
    kind: z.enum(['includes', 'package']).openapi({ description: 'includes: the main item already includes the sub-item; package: the sub-item is a part of the package' }),
    mainCode: code(50),
    subCode: code(50),
    window: z.enum(RELATION_WINDOWS).optional().openapi({ description: 'for includes: the window within which billing both is a duplicate' }),
    source: name(100).openapi({ example: 'nhsa-batch7' }),
    note: z.string().max(1000).optional(),
    ...validity,
  })
  .strict()
  .superRefine((r, ctx) => {
    validTo(r, ctx);
    if (r.kind === 'includes' && r.window === undefined) ctx.addIssue({ code: 'custom', path: ['window'], message: 'is required for an includes relation' });
    if (r.mainCode === r.subCode) ctx.addIssue({ code: 'custom', path: ['subCode'], message: 'must differ from mainCode' });
  })
  .openapi('ItemRelation');

export const StockRecordSchema = z
  .object({
    institutionId: code(32),
    itemCode: code(50),
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month yyyy-MM')
      .openapi({ example: '2026-10' }),
    openingQuantity: price.openapi({ description: 'stock at the start of the month' }),
    purchasedQuantity: price.openapi({ description: 'bought during the month' }),
    purchasePrice: price.optional().openapi({ description: 'unit price paid for the item in the month (yuan), for zero markup' }),
  })
  .strict()
  .openapi('StockRecord');

/**
 * One version of an insured person's register entry. The person is named by the raw id (personId,
 * hashed with the claims' key on the way in and never stored) or by the keyed hash itself
 * (personHash, as listed back): exactly one of the two.
 */
export const PersonRegisterSchema = z
  .object({
    personId: z
      .string()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters')
      .refine((s) => !/[\u0000-\u001F\u007F]/.test(s), 'must not contain control characters')
      .optional()
      .openapi({ description: 'the insured person’s id as claims send it (insured.id); stored only as its keyed hash', example: '320102195803140012' }),
    personHash: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a keyed hash as listed by GET (43 characters of base64url)')
      .optional()
      .openapi({ description: 'the keyed hash of the person’s id, as GET lists it' }),
    enrolledFrom: day.openapi({ description: 'first day of enrolment (参保)' }),
    enrolledTo: day.optional().openapi({ description: 'last day of enrolment; open-ended when absent' }),
    deathDate: day.optional().openapi({ description: 'date of death, when known' }),
    ...validity,
  })
  .strict()
  .superRefine((r, ctx) => {
    validTo(r, ctx);
    if ((r.personId === undefined) === (r.personHash === undefined))
      ctx.addIssue({ code: 'custom', path: [r.personId === undefined ? 'personId' : 'personHash'], message: 'exactly one of personId and personHash is required' });
    if (r.enrolledTo !== undefined && r.enrolledTo < r.enrolledFrom) ctx.addIssue({ code: 'custom', path: ['enrolledTo'], message: 'must not be before enrolledFrom' });
  })
  .openapi('PersonRegisterEntry');

const icdPrefix = z
  .string()
  .regex(/^[A-Za-z][0-9]{2}(\.[0-9A-Za-z]{1,6})?$/, 'must be an ICD-10 code or prefix such as J45 or E11.9')
  .openapi({ example: 'J45' });

/**
 * One version of a catalogue item's indications (适应症): the ICD-10 prefixes of the diagnoses it is
 * paid for (allowed; empty: any diagnosis not excluded) and of those it is never paid for
 * (excluded). At least one of the two lists is non-empty.
 */
export const ItemIndicationSchema = z
  .object({
    itemCode: code(50).openapi({ example: 'XR03AC02' }),
    allowed: z.array(icdPrefix).max(200, 'must have at most 200 entries').default([]).openapi({ description: 'ICD-10 prefixes the item is indicated for ("|"-separated in CSV)' }),
    excluded: z.array(icdPrefix).max(200, 'must have at most 200 entries').default([]).openapi({ description: 'ICD-10 prefixes the item is never paid for' }),
    source: name(100).optional().openapi({ example: 'fund-2026-indications' }),
    ...validity,
  })
  .strict()
  .superRefine((r, ctx) => {
    validTo(r, ctx);
    if (r.allowed.length === 0 && r.excluded.length === 0) ctx.addIssue({ code: 'custom', path: ['allowed'], message: 'at least one of allowed and excluded must name a prefix' });
  })
  .openapi('ItemIndication');

/**
 * One version of an item's entry in the exam mutual-recognition list (检查检验结果互认): within
 * `windowDays` days of a result, the same exam at another institution is a repeat. Items of one
 * `group` (a CT of the head under two codes, say) count as the same exam.
 */
export const ExamRecognitionSchema = z
  .object({
    itemCode: code(50).openapi({ example: '002103000010000' }),
    group: code(50).optional().openapi({ description: 'items of one group count as the same exam; the item code when absent', example: 'CT-HEAD' }),
    windowDays: z
      .number({ error: 'must be a whole number of days from 1 to 365' })
      .int('must be a whole number of days from 1 to 365')
      .min(1, 'must be a whole number of days from 1 to 365')
      .max(365, 'must be a whole number of days from 1 to 365')
      .openapi({ description: 'days after a result within which it stands at another institution', example: 30 }),
    source: name(100).optional().openapi({ example: 'fund-2026-recognition' }),
    ...validity,
  })
  .strict()
  .superRefine(validTo)
  .openapi('ExamRecognition');

const SCOPE_VISIT_TYPES = ['outpatient', 'inpatient', 'pharmacy'] as const;

/**
 * One version of an institution's service scope (服务范围) under its agreement with the fund: the
 * line categories, care settings and department-code prefixes it may bill. An empty (absent) list
 * does not limit; at least one list names something.
 */
export const ServiceScopeSchema = z
  .object({
    institutionId: code(32).openapi({ example: 'P32010200001' }),
    categories: z
      .array(z.enum(CATALOGUE_CATEGORIES))
      .max(8, 'must have at most 8 entries')
      .default([])
      .openapi({ description: 'line categories the institution may bill ("|"-separated in CSV); any when empty' }),
    visitTypes: z
      .array(z.enum(SCOPE_VISIT_TYPES))
      .max(3, 'must have at most 3 entries')
      .default([])
      .openapi({ description: 'care settings the institution may bill (outpatient, inpatient, pharmacy); any when empty' }),
    departments: z.array(code(20)).max(200, 'must have at most 200 entries').default([]).openapi({ description: 'department-code prefixes the institution may bill under; any when empty' }),
    source: name(100).optional().openapi({ example: 'fund-agreements-2026' }),
    ...validity,
  })
  .strict()
  .superRefine((r, ctx) => {
    validTo(r, ctx);
    if (r.categories.length === 0 && r.visitTypes.length === 0 && r.departments.length === 0)
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'at least one of categories, visitTypes and departments must name something' });
  })
  .openapi('ServiceScope');

/**
 * One version of a doctor's register entry (医师): the institution the doctor practises at and how
 * many claims of each visit kind the doctor can see in a day (DOCTOR-CAPACITY). A capacity left out
 * is not judged.
 */
export const DoctorSchema = z
  .object({
    doctorId: code(64).openapi({ example: 'H32010200001-D001', description: 'the doctor id claims send on their lines (doctorId)' }),
    institutionId: code(32).openapi({ example: 'H32010200001' }),
    outpatientPerDay: z.number().int().min(1).max(1000).optional().openapi({ description: 'outpatient visits the doctor can see in one day' }),
    admissionsPerDay: z.number().int().min(1).max(1000).optional().openapi({ description: 'admissions the doctor can make in one day' }),
    source: name(100).optional().openapi({ example: 'fund-2026-doctors' }),
    ...validity,
  })
  .strict()
  .superRefine((r, ctx) => {
    validTo(r, ctx);
    if (r.outpatientPerDay === undefined && r.admissionsPerDay === undefined)
      ctx.addIssue({ code: 'custom', path: ['outpatientPerDay'], message: 'at least one of outpatientPerDay and admissionsPerDay is required' });
  })
  .openapi('Doctor');

export type InstitutionRecord = z.infer<typeof InstitutionSchema>;
export type DoctorRecord = z.infer<typeof DoctorSchema>;
export type PersonRegisterRecord = z.infer<typeof PersonRegisterSchema>;
export type CatalogueItemRecord = z.infer<typeof CatalogueItemSchema>;
export type ItemRelationRecord = z.infer<typeof ItemRelationSchema>;
export type StockRecordInput = z.infer<typeof StockRecordSchema>;
export type ItemIndicationRecord = z.infer<typeof ItemIndicationSchema>;
export type ExamRecognitionRecord = z.infer<typeof ExamRecognitionSchema>;
export type ServiceScopeRecord = z.infer<typeof ServiceScopeSchema>;

/** The kinds, by the name used in URLs and in the import command. */
export const REFERENCE_KINDS = {
  institutions: InstitutionSchema,
  'catalogue-items': CatalogueItemSchema,
  'item-relations': ItemRelationSchema,
  'stock-records': StockRecordSchema,
  'person-register': PersonRegisterSchema,
  'item-indications': ItemIndicationSchema,
  'exam-recognition': ExamRecognitionSchema,
  'service-scopes': ServiceScopeSchema,
  doctors: DoctorSchema,
} as const;
export type ReferenceKind = keyof typeof REFERENCE_KINDS;
