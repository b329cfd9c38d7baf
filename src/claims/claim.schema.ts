import { z } from '@hono/zod-openapi';
import { fenFrom, lineAmountFen, tenThousandthsFrom } from '../lib/money.js';
import { parseDate, parseInstant } from '../lib/time.js';

/**
 * The service's own JSON claim. This zod schema is the single source of truth: handlers validate
 * with it and /openapi.json is generated from it.
 */

// NUL and other C0 controls cannot be stored in PostgreSQL text/jsonb and never belong in a claim.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// Nor can a lone UTF-16 surrogate (JSON "\ud800"): jsonb refuses it. String.prototype.isWellFormed
// (ES2024, V8's own scan) says exactly that, without the lookaround regex run on every text field.
const wellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

const text = (max: number, control: RegExp = CONTROL) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !control.test(s), 'must not contain control characters')
    .refine(wellFormed, 'must be valid Unicode (no lone surrogates)');

// An identifier is also a path parameter (GET /v1/claims/{institutionId}/{claimId}), which refuses
// every C0 control: tab, line feed and carriage return included, so that what is accepted reads back.
const identifier = (max: number) => text(max, /[\u0000-\u001F\u007F]/);

const code = (max: number, example: string) =>
  z
    .string()
    .regex(/^[0-9A-Za-z._-]+$/, 'must contain only letters, digits, ".", "_" and "-"')
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .openapi({ example });

const decimal = (scale: number, { positive }: { positive: boolean }) =>
  z
    .union([z.number(), z.string().max(24, 'must be at most 24 characters')], {
      error: (issue) => (issue.input === undefined ? 'is required' : 'must be a decimal number: a JSON number or a string'),
    })
    .refine((v) => toScaledSafe(v, scale) !== undefined, {
      message: `must be a decimal number with at most ${scale} decimal places`,
    })
    .refine(
      (v) => {
        const n = toScaledSafe(v, scale);
        return n === undefined || (positive ? n > 0 : n >= 0);
      },
      { message: positive ? 'must be greater than 0' : 'must not be negative' },
    )
    .openapi({ type: 'string', example: scale === 2 ? '36.00' : '12.5000', description: `decimal, JSON number or string, ≤ ${scale} places` });

function toScaledSafe(v: number | string, scale: number) {
  return scale === 2 ? fenFrom(v) : tenThousandthsFrom(v);
}

const instant = z
  .string()
  .max(40, 'must be at most 40 characters')
  .refine((s) => parseInstant(s) !== undefined, {
    message: 'must be a date-time: ISO 8601 with offset, or yyyy-MM-dd HH:mm:ss in China Standard Time',
  })
  .openapi({ example: '2026-10-04T09:30:00+08:00' });

const calendarDate = z
  .string()
  .refine((s) => parseDate(s) !== undefined, { message: 'must be a date yyyy-MM-dd' })
  .openapi({ example: '1958-03-14' });

export const VISIT_TYPES = ['outpatient', 'inpatient', 'pharmacy'] as const;
export const LINE_CATEGORIES = ['drug', 'consumable', 'service', 'bed', 'nursing', 'exam', 'lab', 'operation'] as const;

export const InsuredSchema = z
  .object({
    id: text(64).openapi({ description: "insured person's id; stored only as a keyed hash", example: '320102195803140012' }),
    sex: z.enum(['male', 'female']),
    birthDate: calendarDate,
  })
  .strict()
  .openapi('Insured');

export const DiagnosisSchema = z
  .object({
    code: z
      .string()
      .regex(/^[A-Z][0-9]{2}(\.[0-9A-Za-z]{1,8})?$/, 'must be an ICD-10 code such as J18.900')
      .openapi({ example: 'J18.900' }),
    name: text(200).optional(),
    main: z.boolean().default(false),
  })
  .strict()
  .openapi('Diagnosis');

export const FeeLineSchema = z
  .object({
    lineId: text(64).openapi({ example: 'L1' }),
    itemCode: code(50, '110200005').openapi({ description: 'national catalogue code (医保目录编码)' }),
    hospitalItemCode: text(64).optional(),
    hospitalItemName: text(200).optional(),
    category: z.enum(LINE_CATEGORIES),
    serviceAt: instant,
    quantity: decimal(4, { positive: true }),
    unitPrice: decimal(4, { positive: false }),
    amount: decimal(2, { positive: false }),
    specification: text(200).optional(),
    daysOfSupply: z.number().int().min(1).max(366).optional(),
    doctorId: text(64).optional(),
    departmentCode: text(32).optional(),
    departmentName: text(100).optional(),
  })
  .strict()
  .openapi('FeeLine');

export const PaymentSchema = z
  .object({
    fund: decimal(2, { positive: false }).openapi({ description: 'pooled fund (统筹基金)' }),
    personalAccount: decimal(2, { positive: false }),
    medicalAssistance: decimal(2, { positive: false }).default('0'),
    cash: decimal(2, { positive: false }).openapi({ description: "the insured person's cash payment" }),
  })
  .strict()
  .openapi('PaymentSplit');

export const INJURY_CAUSES = ['fall', 'sport', 'household', 'traffic', 'work', 'assault', 'self-inflicted', 'animal', 'other'] as const;

export const InjurySchema = z
  .object({
    cause: z.enum(INJURY_CAUSES).openapi({ description: 'how the injury came about (外伤原因)' }),
    thirdParty: z.enum(['none', 'liable', 'unknown']).openapi({ description: 'none: nobody else is liable; liable: a third party is (应由第三人负担); unknown: not yet established' }),
  })
  .strict()
  .openapi('InjuryDeclaration', { description: 'the claimant’s injury declaration; expected with an injury diagnosis (S00–T98, V01–Y98) the fund pays for' });

function claimObject(maxLines: number) {
  return z
    .object({
      institutionId: code(32, 'H32010200001'),
      claimId: identifier(64).openapi({ example: 'ZY2026100400123' }),
      insured: InsuredSchema,
      visitType: z.enum(VISIT_TYPES),
      medType: code(8, '21').optional().openapi({ description: 'national medical category (med_type)' }),
      admittedAt: instant.optional(),
      dischargedAt: instant.optional(),
      visitAt: instant.optional().openapi({ description: 'outpatient or pharmacy visit time' }),
      settledAt: instant.optional(),
      departmentCode: text(32).optional(),
      diagnoses: z.array(DiagnosisSchema).max(50, 'must have at most 50 diagnoses').default([]),
      injury: InjurySchema.optional(),
      lines: z.array(FeeLineSchema).min(1, 'must have at least one fee line').max(maxLines, `must have at most ${maxLines} fee lines`),
      totalAmount: decimal(2, { positive: false }),
      payment: PaymentSchema,
    })
    .strict();
}

export type ClaimInput = z.infer<ReturnType<typeof claimObject>>;
/** A fee line as the claim's body stores it (claims.body): as sent, once validated. */
export type StoredLine = ClaimInput['lines'][number];

/** The contract as zod states it: /openapi.json is generated from it, and it words every refusal. */
export function claimContract({ maxLines }: { maxLines: number }) {
  return claimObject(maxLines).superRefine(checkClaimConsistency).openapi('Claim');
}

/**
 * The schema handlers validate with: the contract, with its validation compiled once by zod
 * (z.compile: generated code for the whole claim, ~3 times faster than zod's interpreter). A claim
 * the generated code does not accept is parsed again by zod's runtime, which words the refusal, so
 * refusals are zod's own. The docs are generated from the same object. The hook installs the
 * compiled parse under the schema's own methods, the async one too (the HTTP validator awaits
 * `safeParseAsync`, which zod's compiled schema would hand to the interpreter); the contract has no
 * asynchronous check, so the synchronous parse answers it. test/claim-schema-compiled.test.ts shows
 * the two accept, reject and name fields alike.
 */
export function buildClaimSchema({ maxLines }: { maxLines: number }) {
  return withCompiledParse(claimContract({ maxLines }));
}

function withCompiledParse<S extends z.ZodType>(schema: S): S {
  // strict: a contract zod cannot compile fails at startup rather than silently running slower
  const compiled = z.compile(schema, { strict: true }) as S;
  schema.parse = (data, params) => compiled.parse(data, params);
  schema.safeParse = (data, params) => compiled.safeParse(data, params);
  schema.safeParseAsync = async (data, params) => compiled.safeParse(data, params);
  schema.parseAsync = async (data, params) => compiled.parse(data, params);
  return schema;
}

/** Cross-field rules of the contract; every failure names its field. */
function checkClaimConsistency(claim: ClaimInput, ctx: z.RefinementCtx) {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  const admitted = claim.admittedAt === undefined ? undefined : parseInstant(claim.admittedAt);
  const discharged = claim.dischargedAt === undefined ? undefined : parseInstant(claim.dischargedAt);
  if (claim.visitType === 'inpatient') {
    if (claim.admittedAt === undefined) issue(['admittedAt'], 'is required for an inpatient claim');
    if (claim.dischargedAt === undefined) issue(['dischargedAt'], 'is required for an inpatient claim');
    if (claim.diagnoses.length === 0) issue(['diagnoses'], 'an inpatient claim needs a main diagnosis');
  } else {
    if (claim.visitAt === undefined) issue(['visitAt'], `is required for a ${claim.visitType} claim`);
    if (claim.admittedAt !== undefined || claim.dischargedAt !== undefined) issue([claim.admittedAt !== undefined ? 'admittedAt' : 'dischargedAt'], 'is only for inpatient claims');
  }
  if (admitted !== undefined && discharged !== undefined && discharged < admitted) issue(['dischargedAt'], 'must not be before admittedAt');

  // counted and summed in scalars, not through arrays made by filter and map: see rules/decide.ts
  let mains = 0;
  for (const d of claim.diagnoses) if (d.main) mains++;
  if (claim.diagnoses.length > 0 && mains !== 1) issue(['diagnoses'], `must flag exactly one main diagnosis (found ${mains})`);

  const seen = new Set<string>();
  let linesFen = 0;
  claim.lines.forEach((line, i) => {
    if (seen.has(line.lineId)) issue(['lines', i, 'lineId'], `duplicates line id "${line.lineId}"`);
    seen.add(line.lineId);
    const price = tenThousandthsFrom(line.unitPrice);
    const qty = tenThousandthsFrom(line.quantity);
    const amount = fenFrom(line.amount);
    if (price === undefined || qty === undefined || amount === undefined) return;
    const expected = lineAmountFen(price, qty);
    if (Math.abs(expected - amount) > 1) issue(['lines', i, 'amount'], `must equal unitPrice × quantity (${fmt(expected)}), got ${fmt(amount)}`);
    linesFen += amount;
    const at = parseInstant(line.serviceAt);
    if (at !== undefined && admitted !== undefined && discharged !== undefined) {
      const day = 86_400_000;
      if (at < admitted - day || at > discharged + day) issue(['lines', i, 'serviceAt'], 'must fall within the stay (admittedAt to dischargedAt)');
    }
  });

  const total = fenFrom(claim.totalAmount);
  if (total !== undefined && claim.lines.every((l) => fenFrom(l.amount) !== undefined) && total !== linesFen)
    issue(['totalAmount'], `must equal the sum of line amounts (${fmt(linesFen)}), got ${fmt(total)}`);
  const fund = fenFrom(claim.payment.fund);
  const account = fenFrom(claim.payment.personalAccount);
  const assistance = fenFrom(claim.payment.medicalAssistance);
  const cash = fenFrom(claim.payment.cash);
  if (total !== undefined && fund !== undefined && account !== undefined && assistance !== undefined && cash !== undefined) {
    const sum = fund + account + assistance + cash;
    if (sum !== total) issue(['payment'], `parts must add up to totalAmount (${fmt(total)}), got ${fmt(sum)}`);
  }
}

const fmt = (fen: number) => (fen / 100).toFixed(2);
