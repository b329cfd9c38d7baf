import { sql } from 'drizzle-orm';
import { bigint, check, bigserial, customType, boolean, date, doublePrecision, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });
const money = (name: string) => numeric(name, { precision: 14, scale: 2 });
const decimal4 = (name: string) => numeric(name, { precision: 16, scale: 4 });

/** API clients. Keys are stored as SHA-256 of a 256-bit random secret: only the hash is kept. */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey(),
  clientName: text('client_name').notNull(),
  role: text('role', { enum: ['settlement', 'auditor', 'supervisor', 'admin', 'institution'] }).notNull(),
  keyHash: text('key_hash').notNull().unique(),
  keyPrefix: text('key_prefix').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  createdBy: text('created_by').notNull(),
  revokedAt: tstz('revoked_at'),
  /** an institution's own key (role 'institution'): it reads its own appeals only (migration 0018) */
  institutionId: text('institution_id'),
});

/** Designated institutions; each row is one version of the record, valid over [valid_from, valid_to]. */
export const institutions = pgTable(
  'institutions',
  {
    institutionId: text('institution_id').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    name: text('name').notNull(),
    type: text('type', { enum: ['hospital', 'clinic', 'pharmacy'] }).notNull(),
    level: text('level', { enum: ['primary', 'secondary', 'tertiary', 'none'] }).notNull(),
    ownership: text('ownership', { enum: ['public', 'private'] }).notNull(),
    area: text('area').notNull(),
    beds: integer('beds').notNull(),
    designatedFrom: date('designated_from', { mode: 'string' }).notNull(),
    designatedTo: date('designated_to', { mode: 'string' }),
    /** zero markup (药品零差率) applies: drugs are billed at the purchase price */
    zeroMarkup: boolean('zero_markup').notNull().default(false),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.validFrom] })],
);

/** National catalogue items with price ceilings per institution level and restrictions. */
export const catalogueItems = pgTable(
  'catalogue_items',
  {
    itemCode: text('item_code').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    name: text('name').notNull(),
    category: text('category', {
      enum: ['drug', 'consumable', 'service', 'bed', 'nursing', 'exam', 'lab', 'operation'],
    }).notNull(),
    unit: text('unit').notNull(),
    priceCeilingPrimary: decimal4('price_ceiling_primary'),
    priceCeilingSecondary: decimal4('price_ceiling_secondary'),
    priceCeilingTertiary: decimal4('price_ceiling_tertiary'),
    restrictions: jsonb('restrictions')
      .notNull()
      .default(sql`'{}'::jsonb`),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.itemCode, t.validFrom] })],
);

/**
 * The fund's person register: enrolment and death, keyed by the keyed hash of the person's id
 * (the claims' person_hash; the raw id is never stored), one row per validity period.
 */
export const personRegister = pgTable(
  'person_register',
  {
    personHash: text('person_hash').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    enrolledFrom: date('enrolled_from', { mode: 'string' }).notNull(),
    enrolledTo: date('enrolled_to', { mode: 'string' }),
    deathDate: date('death_date', { mode: 'string' }),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.personHash, t.validFrom] })],
);

/**
 * Item indications: per catalogue item, the ICD-10 prefixes of the diagnoses it is paid for
 * (allowed) and of those it is never paid for (excluded), one row per validity period.
 */
export const itemIndications = pgTable(
  'item_indications',
  {
    itemCode: text('item_code').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    allowed: jsonb('allowed')
      .notNull()
      .default(sql`'[]'::jsonb`),
    excluded: jsonb('excluded')
      .notNull()
      .default(sql`'[]'::jsonb`),
    source: text('source'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.itemCode, t.validFrom] })],
);

/**
 * The exam mutual-recognition list (检查检验结果互认): per catalogue item, the days within which a
 * result from another institution stands; items of one exam group count as the same exam.
 */
export const examRecognition = pgTable(
  'exam_recognition',
  {
    itemCode: text('item_code').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    examGroup: text('exam_group'),
    windowDays: integer('window_days').notNull(),
    source: text('source'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.itemCode, t.validFrom] })],
);

/**
 * An institution's service scope (服务范围) under its agreement with the fund: the line categories,
 * care settings and department-code prefixes it may bill (an empty list: not limited).
 */
export const serviceScopes = pgTable(
  'service_scopes',
  {
    institutionId: text('institution_id').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    categories: jsonb('categories')
      .notNull()
      .default(sql`'[]'::jsonb`),
    visitTypes: jsonb('visit_types')
      .notNull()
      .default(sql`'[]'::jsonb`),
    departments: jsonb('departments')
      .notNull()
      .default(sql`'[]'::jsonb`),
    source: text('source'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.validFrom] })],
);

/** Doctors: the institution each practises at and the claims of each visit kind they can see in a day. */
export const doctors = pgTable(
  'doctors',
  {
    doctorId: text('doctor_id').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    institutionId: text('institution_id').notNull(),
    outpatientPerDay: integer('outpatient_per_day'),
    admissionsPerDay: integer('admissions_per_day'),
    source: text('source'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.doctorId, t.validFrom] })],
);

/** A main item that includes a sub-item (window), or a package and one of its parts. */
export const itemRelations = pgTable(
  'item_relations',
  {
    kind: text('kind', { enum: ['includes', 'package'] }).notNull(),
    mainCode: text('main_code').notNull(),
    subCode: text('sub_code').notNull(),
    window: text('window', { enum: ['same_hour', 'six_hours', 'same_day', 'same_visit'] }),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    source: text('source').notNull(),
    note: text('note'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.mainCode, t.subCode, t.validFrom] }), index('item_relations_sub_idx').on(t.subCode)],
);

/** Purchase and stock (进销存) per institution, item and month. */
export const stockRecords = pgTable(
  'stock_records',
  {
    institutionId: text('institution_id').notNull(),
    itemCode: text('item_code').notNull(),
    month: text('month').notNull(),
    openingQuantity: decimal4('opening_quantity').notNull(),
    purchasedQuantity: decimal4('purchased_quantity').notNull(),
    /** the unit price paid for the item in the month, when the institution reports it */
    purchasePrice: decimal4('purchase_price'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.itemCode, t.month] })],
);

/**
 * What each institution billed of each stock item (drugs, consumables and items not in the
 * catalogue: SQL stock_item()) in each month (the month of the line's service date, China Standard
 * Time): running totals of the claims' lines, kept by statement triggers on claims (migrations
 * 0013, 0037, 0038; from the intake's parsed lines, 0040; stock items only, 0041) in the statement
 * that stores, changes or removes claims, so a rule reads one row per item whatever the month's
 * volume (the stock rules: what was sold before this claim). Never written by the service itself.
 */
export const institutionItemMonths = pgTable(
  'institution_item_months',
  {
    institutionId: text('institution_id').notNull(),
    itemCode: text('item_code').notNull(),
    month: text('month').notNull(),
    quantity: numeric('quantity').notNull(),
    amount: numeric('amount').notNull(),
    lines: bigint('lines', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.itemCode, t.month] })],
);

/**
 * Every line's amount and count by institution and month of the line's service date: what the
 * report's drug and consumable shares divide by. Kept by the same triggers as
 * institution_item_months (migration 0041): one row an institution a month.
 */
export const institutionMonths = pgTable(
  'institution_months',
  {
    institutionId: text('institution_id').notNull(),
    month: text('month').notNull(),
    amount: numeric('amount').notNull(),
    lines: bigint('lines', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'institution_months_pk', columns: [t.institutionId, t.month] })],
);

/**
 * One claim: one settlement of one visit. The body holds the claim as sent without the
 * insured person's raw id, its lines included: they are stored nowhere else (migration 0037;
 * claim_lines_of(body) gives them as rows); `person_hash` is the keyed hash that links a person's claims.
 * Keyed (id, person_hash, service_month), as are its findings and finding references, so
 * they can be partitioned by service month and distributed by person (docs/scaling.md §5); the
 * idempotency key (institution_id, claim_no) is claim_keys' primary key.
 *
 * Stored PARTITION BY LIST (service_month): one partition a month (claims_YYYY_MM) and a DEFAULT
 * partition, as are findings and finding_references (migration 0032; drizzle does
 * not declare partitioning). src/db/partitions.ts creates the months; docs/operations.md retires them.
 */
export const claims = pgTable(
  'claims',
  {
    id: uuid('id').notNull(),
    institutionId: text('institution_id').notNull(),
    claimNo: text('claim_no').notNull(),
    personHash: text('person_hash').notNull(),
    visitType: text('visit_type', { enum: ['outpatient', 'inpatient', 'pharmacy'] }).notNull(),
    startedAt: tstz('started_at').notNull(),
    endedAt: tstz('ended_at').notNull(),
    serviceMonth: text('service_month').notNull(),
    mainDiagnosis: text('main_diagnosis'),
    totalAmount: money('total_amount').notNull(),
    payableAmount: money('payable_amount').notNull(),
    decision: text('decision', { enum: ['pass', 'review', 'withhold'] }).notNull(),
    /** null since migration 0047: the hash is in claim_keys, where the replay reads it */
    contentHash: text('content_hash'),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    clientId: uuid('client_id'),
    body: jsonb('body').notNull(),
    /**
     * The answer given, without the fields the columns above hold (id, institution, claim number,
     * decision, total and payable amounts, service month; migration 0043), and with its findings
     * as their ids, each given back from its `findings` row (migration 0047): read it whole with
     * SQL claim_answer(c). A row stored before holds more of it, which claim_answer reads the same.
     */
    answer: jsonb('answer').notNull(),
    // Data quality as the monthly report counts it, computed once at intake (src/claims/quality.ts)
    // so the report reads plain columns, not every claim's body: fee lines, lines without the
    // institution's own item name, drug and consumable lines without a specification, and the
    // settlement system's settledAt (null when it was not sent).
    lineCount: integer('line_count').notNull(),
    linesMissingName: integer('lines_missing_name').notNull(),
    linesMissingSpec: integer('lines_missing_spec').notNull(),
    settledAt: tstz('settled_at'),
    // The lines an institution window reads of the claim, [[lineId, itemCode], ...] in line order
    // (an operation line with 'operation' third), for outpatient and pharmacy claims and stays of at
    // most four days; null for others and for claims stored before migration 0033 (their window
    // lines are read from the body).
    windowLines: jsonb('window_lines'),
  },
  (t) => [
    primaryKey({ name: 'claims_pkey', columns: [t.id, t.personHash, t.serviceMonth] }),
    index('claims_person_started_idx').on(t.personHash, t.startedAt),
    // no (institution, month) index: within a month's partition it is the institution alone, which
    // the doctor index below leads with (migration 0042)
    // the institution window (src/screening/history.repository.ts): outpatient and pharmacy claims
    // around a time and a doctor's day (migration 0033); short stays: institution_short_stays
    index('claims_institution_nearby_idx')
      .on(t.institutionId, t.startedAt)
      .where(sql`${t.visitType} <> 'inpatient'`),
    index('claims_institution_doctor_idx').on(t.institutionId, sql`(${t.body}->'lines'->0->>'doctorId')`, t.startedAt),
  ],
);

/**
 * The stays at each institution at midnight of each night (00:00 China Standard Time of `night`):
 * running counts of inpatient claims, kept by statement triggers on claims (migration 0033), so the
 * institution window's census (BED-CENSUS) reads one row. A stay counts on the nights after its
 * admission day up to its discharge day, at most 366. Never written by the service itself.
 */
export const institutionNights = pgTable(
  'institution_nights',
  {
    institutionId: text('institution_id').notNull(),
    night: date('night').notNull(),
    stays: integer('stays').notNull(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.night] })],
);

/**
 * The stays of at most three calendar days (China Standard Time) with a main diagnosis, one row
 * each, keyed by institution, the main diagnosis's category (its first three characters in upper
 * case, compared byte by byte: COLLATE "C" in migration 0034) and admission: what ADMISSION-CLUSTER
 * reads of an institution's week (src/screening/history.repository.ts), one range of the key per
 * category range of its list. Kept by statement triggers on claims (migration 0034); never written
 * by the service itself. `window_lines` is the claim's (null for claims stored before migration 0033).
 */
export const institutionShortStays = pgTable(
  'institution_short_stays',
  {
    institutionId: text('institution_id').notNull(),
    category: text('category').notNull(),
    startedAt: tstz('started_at').notNull(),
    claimNo: text('claim_no').notNull(),
    endedAt: tstz('ended_at').notNull(),
    mainDiagnosis: text('main_diagnosis').notNull(),
    personHash: text('person_hash').notNull(),
    claimId: uuid('claim_id').notNull(),
    serviceMonth: text('service_month').notNull(),
    windowLines: jsonb('window_lines'),
  },
  (t) => [primaryKey({ name: 'institution_short_stays_pk', columns: [t.institutionId, t.category, t.startedAt, t.claimNo] })],
);

/** Submissions refused as malformed: kept (without personal data) for the data-quality report. */
export const rejectedSubmissions = pgTable(
  'rejected_submissions',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    channel: text('channel').notNull(),
    institutionId: text('institution_id'),
    claimNo: text('claim_no'),
    errorCount: integer('error_count').notNull(),
    errors: jsonb('errors').notNull(),
    requestId: text('request_id'),
  },
  // The month of receipt in the key, so the table can be partitioned by it.
  (t) => [primaryKey({ name: 'rejected_submissions_pkey', columns: [t.id, t.receivedAt] }), index('rejected_submissions_institution_idx').on(t.institutionId, t.receivedAt)],
);

/** National code-keyed lists (NHSA "two libraries"): limits merged into the catalogue item. */
export const nationalItemLimits = pgTable(
  'national_item_limits',
  {
    source: text('source').notNull(),
    itemCode: text('item_code').notNull(),
    name: text('name').notNull(),
    restrictions: jsonb('restrictions').notNull(),
    note: text('note'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.source, t.itemCode] })],
);

/** National drug lists, keyed by generic name (药品通用名): they carry no codes. */
export const nationalDrugLimits = pgTable(
  'national_drug_limits',
  {
    source: text('source').notNull(),
    genericName: text('generic_name').notNull(),
    restrictions: jsonb('restrictions').notNull(),
    note: text('note'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.source, t.genericName] })],
);

/** Deployment overrides of a rule's parameters and status; append-only, the latest row applies. */
export const ruleSettings = pgTable(
  'rule_settings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ruleId: text('rule_id').notNull(),
    params: jsonb('params').notNull(),
    status: text('status', { enum: ['active', 'trial', 'retired'] }),
    /** an admin's end of the rule's trial (yyyy-MM-dd) instead of the rule's own */
    trialUntil: date('trial_until', { mode: 'string' }),
    reason: text('reason').notNull(),
    changedBy: text('changed_by').notNull(),
    changedAt: tstz('changed_at').notNull().defaultNow(),
  },
  (t) => [index('rule_settings_rule_idx').on(t.ruleId, t.id)],
);

/**
 * Every rule hit, on the claim it concerns. A retrospective finding is filed on an earlier claim
 * when a later claim reveals the conflict; `source_claim_id` names the claim whose screening found it.
 */
export const findings = pgTable(
  'findings',
  {
    id: uuid('id').notNull(),
    claimId: uuid('claim_id').notNull(),
    sourceClaimId: uuid('source_claim_id').notNull(),
    retrospective: boolean('retrospective').notNull(),
    ruleId: text('rule_id').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    family: text('family').notNull(),
    severity: text('severity').notNull(),
    status: text('status').notNull(),
    message: jsonb('message').notNull(),
    violatingLines: jsonb('violating_lines').notNull(),
    involvedLines: jsonb('involved_lines').notNull(),
    otherClaims: jsonb('other_claims').notNull(),
    amount: money('amount').notNull(),
    serviceMonth: text('service_month').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    /** the person of the claim it is on (a retrospective finding's claim is the same person's) */
    personHash: text('person_hash').notNull(),
  },
  (t) => [
    primaryKey({ name: 'findings_pkey', columns: [t.id, t.personHash, t.serviceMonth] }),
    // (claim_id, person_hash, service_month) references claims: declared between each month's
    // partitions, <table>_YYYY_MM -> claims_YYYY_MM (migration 0032), not here on the parent
    index('findings_claim_idx').on(t.claimId),
    index('findings_rule_month_idx').on(t.ruleId, t.serviceMonth),
  ],
);

/**
 * A claim named by a finding that another claim carries (the claim whose lines break the rule):
 * shown with the claim and on its case page; no trigger, so it opens no case and counts no amount.
 * `relation`: when the claim carrying the finding was received against this one (`later`;
 * `earlier`, the finding filed on it when this claim arrived; `found-later`, filed on it when a
 * third claim, `source_claim_id`, arrived).
 */
export const findingReferences = pgTable(
  'finding_references',
  {
    id: uuid('id').notNull(),
    claimId: uuid('claim_id').notNull(),
    personHash: text('person_hash').notNull(),
    serviceMonth: text('service_month').notNull(),
    findingId: uuid('finding_id').notNull(),
    findingClaimId: uuid('finding_claim_id').notNull(),
    sourceClaimId: uuid('source_claim_id').notNull(),
    relation: text('relation', { enum: ['later', 'earlier', 'found-later'] }).notNull(),
    ruleId: text('rule_id').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    family: text('family').notNull(),
    severity: text('severity').notNull(),
    lines: jsonb('lines').notNull(),
    /** null since migration 0046: the sentence is made from the columns when read (referenceMessage) */
    message: jsonb('message'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'finding_references_pkey', columns: [t.id, t.personHash, t.serviceMonth] }),
    // (claim_id, person_hash, service_month) references claims: declared between each month's
    // partitions, <table>_YYYY_MM -> claims_YYYY_MM (migration 0032), not here on the parent
    index('finding_references_claim_idx').on(t.claimId),
    check('finding_references_relation_check', sql`${t.relation} IN ('later', 'earlier', 'found-later')`),
  ],
);

/**
 * A 3101/3102 review through the national interface: the visit checked (not stored as a claim:
 * the visit may still change before settlement) and the violations answered, whose ids
 * (`jr_id`, the caller's `warn_rslt_id`) feedback refers to.
 */
export const nationalReviews = pgTable(
  'national_reviews',
  {
    id: uuid('id').primaryKey(),
    infno: text('infno').notNull(),
    msgid: text('msgid'),
    taskId: text('task_id'),
    institutionId: text('institution_id').notNull(),
    visitId: text('visit_id').notNull(),
    personHash: text('person_hash').notNull(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    clientId: uuid('client_id'),
    results: jsonb('results').notNull(),
  },
  (t) => [index('national_reviews_visit_idx').on(t.institutionId, t.visitId)],
);

/** One violation answered through the national interface; its id is the answer's `jr_id`. */
export const nationalResults = pgTable(
  'national_results',
  {
    id: uuid('id').primaryKey(),
    reviewId: uuid('review_id')
      .notNull()
      .references(() => nationalReviews.id),
    ruleId: text('rule_id').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    severity: text('severity').notNull(),
    status: text('status').notNull(),
    amount: money('amount').notNull(),
    message: jsonb('message').notNull(),
    violatingLines: jsonb('violating_lines').notNull(),
    involvedLines: jsonb('involved_lines').notNull(),
  },
  (t) => [index('national_results_review_idx').on(t.reviewId)],
);

/**
 * 3103: how the caller handled each violation it was told about (`warn_rslt_id`): a national
 * result, or a finding of a stored claim. Append-only.
 */
export const nationalFeedback = pgTable(
  'national_feedback',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    resultId: uuid('result_id').notNull(),
    kind: text('kind', { enum: ['national', 'claim'] }).notNull(),
    disposition: text('disposition').notNull(),
    reason: text('reason'),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    clientId: uuid('client_id'),
  },
  (t) => [index('national_feedback_result_idx').on(t.resultId)],
);

/**
 * An inspection draw ("double random"): the pool, weights, inspectors, conflicts in force and the
 * seed are recorded with the result, so the draw can be re-derived and checked.
 */
export const inspectionDraws = pgTable('inspection_draws', {
  id: uuid('id').primaryKey(),
  kind: text('kind', { enum: ['audit-weeks', 'double-random'] }).notNull(),
  title: text('title').notNull(),
  quarter: text('quarter'),
  windowFrom: date('window_from', { mode: 'string' }).notNull(),
  windowTo: date('window_to', { mode: 'string' }).notNull(),
  seed: text('seed').notNull(),
  weighting: jsonb('weighting').notNull(),
  pool: jsonb('pool').notNull(),
  inspectorPool: jsonb('inspector_pool').notNull(),
  conflicts: jsonb('conflicts').notNull(),
  count: integer('count').notNull(),
  resultHash: text('result_hash').notNull(),
  drawnBy: text('drawn_by').notNull(),
  drawnAt: tstz('drawn_at').notNull().defaultNow(),
});

/** One institution drawn for inspection, with its pair of inspectors. */
export const inspections = pgTable(
  'inspections',
  {
    id: uuid('id').primaryKey(),
    drawId: uuid('draw_id')
      .notNull()
      .references(() => inspectionDraws.id),
    rank: integer('rank').notNull(),
    institutionId: text('institution_id').notNull(),
    inspectors: jsonb('inspectors').notNull(),
    outcome: text('outcome', { enum: ['violations-found', 'no-violation'] }),
    concludedBy: text('concluded_by'),
    concludedAt: tstz('concluded_at'),
  },
  (t) => [uniqueIndex('inspections_draw_institution_key').on(t.drawId, t.institutionId)],
);

/** What an inspection found; append-only (a correction is a new entry that names the one it corrects). */
export const inspectionFindings = pgTable(
  'inspection_findings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    inspectionId: uuid('inspection_id')
      .notNull()
      .references(() => inspections.id),
    family: text('family').notNull(),
    amount: money('amount').notNull(),
    note: text('note').notNull(),
    corrects: integer('corrects'),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: tstz('recorded_at').notNull().defaultNow(),
  },
  (t) => [index('inspection_findings_inspection_idx').on(t.inspectionId)],
);

/**
 * Sessions of the auditors' page: a personal API key is exchanged once for a random session token
 * in an HttpOnly cookie; only the token's SHA-256 is kept. The key's person and role are read
 * afresh on every request, so revoking the key ends its sessions.
 */
export const pageSessions = pgTable(
  'page_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => apiKeys.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    endedAt: tstz('ended_at'),
  },
  (t) => [index('page_sessions_client_idx').on(t.clientId)],
);

/**
 * Rules that threw, counted per rule, version and service month (the claim was screened by the
 * other rules). Counted in memory and added here every few seconds; the last message kept.
 */
export const ruleErrors = pgTable(
  'rule_errors',
  {
    ruleId: text('rule_id').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    serviceMonth: text('service_month').notNull(),
    errors: integer('errors').notNull(),
    lastMessage: text('last_message').notNull(),
    lastAt: tstz('last_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.ruleVersion, t.serviceMonth] })],
);

/**
 * A trained provider model (its version is the id): parameters, seed, the features it saw, the
 * training window, a hash of its input rows, and the forest itself as JSON. Never updated.
 */
export const providerModels = pgTable(
  'provider_models',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    month: text('month').notNull(),
    windowFrom: text('window_from').notNull(),
    windowTo: text('window_to').notNull(),
    params: jsonb('params').notNull(),
    seed: bigint('seed', { mode: 'number' }).notNull(),
    featureNames: jsonb('feature_names').notNull(),
    inputHash: text('input_hash').notNull(),
    trainingRows: integer('training_rows').notNull(),
    model: jsonb('model').notNull(),
    trainMs: integer('train_ms').notNull(),
    trainedBy: text('trained_by').notNull(),
    trainedAt: tstz('trained_at').notNull().defaultNow(),
    /** the forest's columns and, per peer group, the features left out as constant there (0016) */
    featureUse: jsonb('feature_use'),
    /** learning from outcomes: labels counted, cross-validated AUC of the supervised and unsupervised scores, which targets and why (0020) */
    outcome: jsonb('outcome'),
  },
  (t) => [index('provider_models_month_idx').on(t.month, t.id)],
);

/** One institution's score for one month under one model version, with what explains it. */
export const providerScores = pgTable(
  'provider_scores',
  {
    modelId: bigint('model_id', { mode: 'number' })
      .notNull()
      .references(() => providerModels.id),
    institutionId: text('institution_id').notNull(),
    month: text('month').notNull(),
    peerGroup: text('peer_group').notNull(),
    /** 'type/level', or the fallback for a group under minPeers: 'type', 'all' (0016) */
    peerBasis: text('peer_basis').notNull().default('type/level'),
    nominalPeerGroup: text('nominal_peer_group'),
    peerSize: integer('peer_size').notNull(),
    score: doublePrecision('score').notNull(),
    /** targeting: expected fund loss in yuan, of the month and over the rolling window; its parts and sentences in risk */
    monthLoss: doublePrecision('month_loss'),
    windowLoss: doublePrecision('window_loss'),
    risk: jsonb('risk'),
    /** what targeting ranks by, higher first; its percentile and rank in the peer group, source and sentences in targeting (0020) */
    targetingScore: doublePrecision('targeting_score'),
    targeting: jsonb('targeting'),
    percentile: doublePrecision('percentile').notNull(),
    rank: integer('rank').notNull(),
    features: jsonb('features').notNull(),
    comparable: jsonb('comparable').notNull(),
    peerMedians: jsonb('peer_medians').notNull(),
    explanations: jsonb('explanations').notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.institutionId] }), index('provider_scores_month_idx').on(t.month, t.modelId), index('provider_scores_institution_idx').on(t.institutionId, t.month)],
);

/*
 * The review queue (src/review/). Cases are created by database triggers (migrations/*_review_*.sql)
 * in the statement that stores what causes them; the trail is append-only (a trigger refuses
 * UPDATE and DELETE).
 */

/** One case per claim; its reasons accumulate in review_reasons. Mutable state, every change trailed. */
export const reviewCases = pgTable(
  'review_cases',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    claimId: uuid('claim_id').notNull().unique(),
    institutionId: text('institution_id').notNull(),
    serviceMonth: text('service_month').notNull(),
    visitType: text('visit_type').notNull(),
    status: text('status', { enum: ['open', 'assigned', 'concluded', 'returned', 'closed'] })
      .notNull()
      .default('open'),
    reasonKinds: text('reason_kinds')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    families: text('families')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    severityRank: integer('severity_rank').notNull().default(0),
    amountAtIssue: money('amount_at_issue').notNull().default('0'),
    claimTotal: money('claim_total').notNull(),
    providerRisk: numeric('provider_risk', { precision: 6, scale: 4 }).notNull().default('0'),
    priority: numeric('priority', { precision: 18, scale: 4 }).notNull().default('0'),
    assignee: text('assignee'),
    assignedAt: tstz('assigned_at'),
    finalOutcome: text('final_outcome', { enum: ['confirmed', 'dismissed'] }),
    openedAt: tstz('opened_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    /** the claim's person: the case names its claim by its whole key */
    personHash: text('person_hash').notNull(),
    /** a sample case of a closed month: its month's due date (docs/review-recheck.md) */
    sampleDueAt: tstz('sample_due_at'),
    /** from when a draw takes it ahead of targeted work, while it is open */
    sampleRipeAt: tstz('sample_ripe_at'),
  },
  (t) => [
    // No foreign key to claims: the trigger review_cases_claim_exists checks the claim when a case
    // is written, so a month whose cases are closed can be detached (migration 0032).
    index('review_cases_queue_idx').on(t.status, t.priority.desc(), t.openedAt, t.id),
    index('review_cases_assignee_idx').on(t.assignee, t.status),
    index('review_cases_institution_idx').on(t.institutionId, t.serviceMonth),
    index('review_cases_sample_ripe_idx')
      .on(t.sampleDueAt, t.sampleRipeAt, t.id)
      .where(sql`status = 'open' AND sample_ripe_at IS NOT NULL`),
  ],
);

/** Why a case is open: a finding, a retrospective finding, the provider model, an appeal, the random sample. Append-only. */
export const reviewReasons = pgTable(
  'review_reasons',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => reviewCases.id),
    kind: text('kind', { enum: ['finding', 'retrospective', 'provider_model', 'appeal', 'sample'] }).notNull(),
    findingId: uuid('finding_id'),
    ruleId: text('rule_id'),
    family: text('family'),
    severity: text('severity'),
    amount: money('amount').notNull().default('0'),
    detail: jsonb('detail')
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdBy: text('created_by').notNull().default('system'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('review_reasons_case_idx').on(t.caseId),
    uniqueIndex('review_reasons_finding_key').on(t.findingId),
    uniqueIndex('review_reasons_sample_key')
      .on(t.caseId)
      .where(sql`kind = 'sample'`),
    index('review_reasons_kind_idx').on(t.kind, t.ruleId),
  ],
);

/** An initial review's conclusion; a correction or a re-conclusion after a send-back is a new row. */
export const reviewConclusions = pgTable(
  'review_conclusions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => reviewCases.id),
    outcome: text('outcome', { enum: ['confirmed', 'dismissed'] }).notNull(),
    refusedLines: jsonb('refused_lines').notNull(),
    amountRefused: money('amount_refused').notNull(),
    basis: text('basis').notNull(),
    concludedBy: text('concluded_by').notNull(),
    concludedAt: tstz('concluded_at').notNull().defaultNow(),
    /** the refusals line by line: whole lines and reduced quantities or prices, with reason codes (migration 0017, docs/review-money.md) */
    lines: jsonb('lines')
      .notNull()
      .default(sql`'[]'::jsonb`),
  },
  (t) => [index('review_conclusions_case_idx').on(t.caseId, t.id)],
);

/**
 * An appeal of a withheld claim: one open per claim (a second appeal adds its reason, a
 * review_reasons row, to the open one); decided when its case's conclusion is agreed (migration 0018).
 */
export const reviewAppeals = pgTable(
  'review_appeals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => reviewCases.id),
    claimId: uuid('claim_id').notNull(),
    institutionId: text('institution_id').notNull(),
    claimNo: text('claim_no').notNull(),
    /** the money withheld at intake that the appeal disputes */
    amount: money('amount').notNull(),
    status: text('status', { enum: ['open', 'decided'] })
      .notNull()
      .default('open'),
    outcome: text('outcome', { enum: ['granted', 'rejected'] }),
    conclusionId: bigint('conclusion_id', { mode: 'number' }),
    openedBy: text('opened_by').notNull(),
    openedAt: tstz('opened_at').notNull().defaultNow(),
    decidedAt: tstz('decided_at'),
  },
  (t) => [
    uniqueIndex('review_appeals_open_key')
      .on(t.claimId)
      .where(sql`status = 'open'`),
    index('review_appeals_institution_idx').on(t.institutionId, t.openedAt),
    index('review_appeals_case_idx').on(t.caseId),
  ],
);

/** The second level: a different person agrees with a conclusion or sends it back with a reason. */
export const reviewSecondReviews = pgTable(
  'review_second_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conclusionId: bigint('conclusion_id', { mode: 'number' })
      .notNull()
      .unique()
      .references(() => reviewConclusions.id),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => reviewCases.id),
    verdict: text('verdict', { enum: ['agree', 'send_back'] }).notNull(),
    reason: text('reason'),
    reviewedBy: text('reviewed_by').notNull(),
    reviewedAt: tstz('reviewed_at').notNull().defaultNow(),
  },
  (t) => [index('review_second_reviews_case_idx').on(t.caseId)],
);

/** A declared conflict of interest of a person with an institution: the person is never drawn its cases. */
export const reviewConflicts = pgTable(
  'review_conflicts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    person: text('person').notNull(),
    institutionId: text('institution_id').notNull(),
    kind: text('kind', { enum: ['kin', 'economic', 'other'] }).notNull(),
    note: text('note').notNull(),
    declaredBy: text('declared_by').notNull(),
    declaredAt: tstz('declared_at').notNull().defaultNow(),
    withdrawnAt: tstz('withdrawn_at'),
    withdrawnBy: text('withdrawn_by'),
  },
  (t) => [index('review_conflicts_person_idx').on(t.person, t.institutionId)],
);

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/** A note on a review case (0019): append-only; each one is also a case.note trail entry. */
export const reviewNotes = pgTable(
  'review_notes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => reviewCases.id),
    body: text('body').notNull(),
    author: text('author').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('review_notes_case_idx').on(t.caseId, t.id)],
);

/** A file attached to a review case (0019): PDF or an image, type checked by magic bytes; a case.attach trail entry. */
export const reviewAttachments = pgTable(
  'review_attachments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => reviewCases.id),
    fileName: text('file_name').notNull(),
    contentType: text('content_type', { enum: ['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp'] }).notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('review_attachments_case_idx').on(t.caseId, t.id),
    check('review_attachments_type_check', sql`${t.contentType} IN ('application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp')`),
  ],
);

/** Each institution-month-visit type closed for the random re-check: the population and the floor met. */
export const reviewSampleMonths = pgTable(
  'review_sample_months',
  {
    institutionId: text('institution_id').notNull(),
    serviceMonth: text('service_month').notNull(),
    visitType: text('visit_type').notNull(),
    ratePpm: integer('rate_ppm').notNull(),
    claimCount: integer('claim_count').notNull(),
    required: integer('required').notNull(),
    sampled: integer('sampled').notNull(),
    closedBy: text('closed_by').notNull(),
    closedAt: tstz('closed_at').notNull().defaultNow(),
    /** the month's cut-off + REVIEW_SAMPLE_DUE_DAYS: every sample case concluded by then */
    dueAt: tstz('due_at'),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.serviceMonth, t.visitType] })],
);

/**
 * The append-only trail of every review action: `body` is the canonical JSON that is hashed when
 * the entry is sealed (review_trail_seals); `txid` is the inserting transaction's (src/review/trail.ts).
 */
export const reviewTrail = pgTable(
  'review_trail',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: tstz('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    caseId: bigint('case_id', { mode: 'number' }),
    body: text('body').notNull(),
    txid: bigint('txid', { mode: 'number' })
      .notNull()
      .default(sql`(pg_current_xact_id()::text)::bigint`),
  },
  (t) => [index('review_trail_case_idx').on(t.caseId, t.seq), index('review_trail_txid_idx').on(t.txid)],
);

/**
 * The trail's hash chain, insert-only: the entry at chain position `position` has
 * hash = SHA-256(prev_hash + "\n" + its body); `horizon` is the oldest transaction still running
 * when the sealing that wrote the row looked (src/review/trail.ts).
 */
export const reviewTrailSeals = pgTable('review_trail_seals', {
  position: bigint('position', { mode: 'number' }).primaryKey(),
  entrySeq: bigint('entry_seq', { mode: 'number' })
    .notNull()
    .unique()
    .references(() => reviewTrail.seq),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull().unique(),
  horizon: bigint('horizon', { mode: 'number' }).notNull(),
  sealedAt: tstz('sealed_at').notNull().defaultNow(),
});

/**
 * A version per insured person, moved on by every claim of the person written (src/claims/
 * claims.repository.ts). A claim's history read takes it; the claim's statement moves it on only
 * from the version read. If another node stored a claim of the same person in between, the version
 * has moved, the claim is not written, and it is screened again with that claim in its history
 * (within one process a lock per person already orders them). Distributed by person with claims
 * (docs/scaling.md §2). UNLOGGED, with an epoch in the row of the empty person hash that a crash's
 * emptying moves on (migration 0045): a version is epoch × 2^32 + the person's claims written in it.
 */
export const personVersions = pgTable('person_versions', {
  personHash: text('person_hash').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
});

/**
 * The idempotency key of a claim, (institution, claim no), and where that claim is: its whole key
 * in claims, and the hash of its content for the replay-or-409 answer. A table of its own because
 * a unique index on claims cannot hold this key once claims are partitioned by month and
 * distributed by person (docs/scaling.md §5); written first, in the claim's statement.
 */
export const claimKeys = pgTable(
  'claim_keys',
  {
    institutionId: text('institution_id').notNull(),
    claimNo: text('claim_no').notNull(),
    claimId: uuid('claim_id').notNull(),
    personHash: text('person_hash').notNull(),
    serviceMonth: text('service_month').notNull(),
    contentHash: text('content_hash').notNull(),
  },
  (t) => [primaryKey({ name: 'claim_keys_pkey', columns: [t.institutionId, t.claimNo] })],
);
