import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildClaimSchema, claimContract } from '../src/claims/claim.schema.js';
import { normalizeClaim } from '../src/claims/normalize.js';
import { fieldIssues } from '../src/errors.js';
import { canonicalJson } from '../src/lib/hash.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';

/**
 * The claim schema handlers validate with runs zod's compiled parser (src/claims/claim.schema.ts).
 * zod's interpreter over the same contract is the oracle: for claims valid and broken in every
 * field, the compiled schema must accept the same claims with the same parsed value (defaults
 * filled in), and refuse the same claims with the same issues: codes, field paths and messages.
 */
const MAX_LINES = 6;
const compiled = buildClaimSchema({ maxLines: MAX_LINES });
const contract = claimContract({ maxLines: MAX_LINES });

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const decimalText = fc.oneof(fc.stringMatching(/^-?[0-9]{1,13}(\.[0-9]{0,5})?$/), fc.constantFrom('0', '0.00', '12.3333', '1e3', ' 7.5 ', '-0', '.5', '5.', '999999999999.9999'));
const instantText = fc.oneof(
  fc.constantFrom('2026-10-02 09:00:00', '2026-10-01T08:00:00+08:00', '2026-02-30 10:00:00', '2026-10-09 10:00:00', '2025-01-01', '2026-10-02T25:00:00Z', '2026-10-02T09:00:00+15:00'),
  fc.date({ min: new Date('2026-09-20'), max: new Date('2026-10-12'), noInvalidDate: true }).map((d) => d.toISOString()),
);
const oddText = fc.constantFrom('', ' ', 'a\u0000b', '\ud800', '\udc00x', 'x'.repeat(65), 'x'.repeat(201), 'J18.900', 'j18.9', 'L1', 'L2', 'drug', 'inpatient', 'male', 'H3201-02', '2026-10-02');
/** any value a JSON body can carry in a field */
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: oddText },
  { weight: 2, arbitrary: decimalText },
  { weight: 2, arbitrary: instantText },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -5, max: 400 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0.1, 1e21, -0, 2 ** 53)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, false, [], {}, [1], { a: 1 }) },
);

/** where a mutation lands: every field of the claim, of a line, of a diagnosis, of the payment, of the insured */
const CLAIM_FIELDS = [
  'institutionId',
  'claimId',
  'insured',
  'visitType',
  'medType',
  'admittedAt',
  'dischargedAt',
  'visitAt',
  'settledAt',
  'departmentCode',
  'diagnoses',
  'injury',
  'lines',
  'totalAmount',
  'payment',
  'extra',
];
const LINE_FIELDS = [
  'lineId',
  'itemCode',
  'hospitalItemCode',
  'hospitalItemName',
  'category',
  'serviceAt',
  'quantity',
  'unitPrice',
  'amount',
  'specification',
  'daysOfSupply',
  'doctorId',
  'departmentCode',
  'departmentName',
  'extra',
];
const target = fc.oneof(
  fc.tuple(fc.constant('claim'), fc.constantFrom(...CLAIM_FIELDS), fc.constant(0)),
  fc.tuple(fc.constant('line'), fc.constantFrom(...LINE_FIELDS), fc.nat(3)),
  fc.tuple(fc.constant('insured'), fc.constantFrom('id', 'sex', 'birthDate', 'extra'), fc.constant(0)),
  fc.tuple(fc.constant('payment'), fc.constantFrom('fund', 'personalAccount', 'medicalAssistance', 'cash', 'extra'), fc.constant(0)),
  fc.tuple(fc.constant('diagnosis'), fc.constantFrom('code', 'name', 'main', 'extra'), fc.nat(1)),
  fc.tuple(fc.constant('injury'), fc.constantFrom('cause', 'thirdParty', 'extra'), fc.constant(0)),
);
/** set a field to a value, or delete it (undefined) */
const mutation = fc.tuple(target, fc.option(anyValue, { freq: 5 }));

type Obj = Record<string, unknown>;
function apply(claim: Obj, [[where, field, index], value]: [[string, string, number], Json | null]) {
  const holder = (): Obj | undefined => {
    if (where === 'claim') return claim;
    if (where === 'line') return Array.isArray(claim.lines) ? (claim.lines[index % Math.max(1, claim.lines.length)] as Obj) : undefined;
    if (where === 'diagnosis') return Array.isArray(claim.diagnoses) ? (claim.diagnoses[index] as Obj) : undefined;
    if (where === 'injury') return (claim.injury ??= { cause: 'fall', thirdParty: 'none' }) as Obj;
    const o = claim[where];
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Obj) : undefined;
  };
  const h = holder();
  if (!h || typeof h !== 'object' || Array.isArray(h)) return;
  if (value === null) delete h[field];
  else h[field] = value;
}

/** valid claims of every shape the contract allows, then 0 to 3 mutations */
const base = fc.record({
  inpatient: fc.boolean(),
  lines: fc.integer({ min: 1, max: MAX_LINES + 1 }),
  injury: fc.boolean(),
  secondDiagnosis: fc.option(fc.boolean()),
  numbers: fc.boolean(),
});
const claims = fc.tuple(base, fc.array(mutation, { maxLength: 3 })).map(([b, mutations]) => {
  const claim = (b.inpatient ? inpatientClaim({ claimId: 'C1' }) : outpatientClaim({ claimId: 'C1' })) as Obj;
  const first = (claim.lines as Obj[])[0] as Obj;
  const lines = Array.from({ length: b.lines }, (_, i) => ({ ...first, lineId: `L${i + 1}`, quantity: b.numbers ? 1 : '1.0000', unitPrice: '10.00', amount: b.numbers ? 10 : '10.00' }));
  claim.lines = lines;
  claim.totalAmount = (10 * b.lines).toFixed(2);
  claim.payment = { fund: (10 * b.lines).toFixed(2), personalAccount: 0, cash: '0' };
  if (b.injury) {
    claim.injury = { cause: 'fall', thirdParty: 'none' };
    claim.diagnoses = [{ code: 'S52.500', main: true }];
  }
  if (b.secondDiagnosis !== null) (claim.diagnoses as Obj[]).push({ code: 'I10.x00', name: '高血压', main: b.secondDiagnosis });
  const copy = JSON.parse(JSON.stringify(claim)) as Obj;
  for (const m of mutations) apply(copy, m as [[string, string, number], Json | null]);
  return JSON.parse(JSON.stringify(copy)) as unknown;
});

describe('the compiled claim schema', () => {
  it('accepts, refuses and names fields exactly as zod does', async () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(claims, (claim) => {
        const expected = contract.safeParse(claim);
        const got = compiled.safeParse(claim);
        expect(got.success).toBe(expected.success);
        if (expected.success) {
          accepted++;
          expect(got.data).toStrictEqual(expected.data);
        } else {
          refused++;
          expect(got.error?.issues).toStrictEqual(expected.error.issues);
          expect(fieldIssues(got.error?.issues ?? [])).toStrictEqual(fieldIssues(expected.error.issues));
        }
      }),
      { numRuns: 3000 },
    );
    // both sides of the contract were exercised
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
    // the asynchronous parse the HTTP validator calls answers the same
    const sample = fc.sample(claims, { numRuns: 200, seed: 20 });
    for (const claim of sample) expect(await compiled.safeParseAsync(claim)).toStrictEqual(contract.safeParse(claim));
  });

  it('is zod’s compiled parser: it refuses nothing its generated code cannot express and does not copy the contract', () => {
    // the docs come from the same object handlers validate with
    expect(compiled._zod.def.type).toBe('object');
    expect(Object.keys(compiled._zod.def.type === 'object' ? compiled._zod.def.shape : {})).toEqual(Object.keys(contract._zod.def.type === 'object' ? contract._zod.def.shape : {}));
    const claim = inpatientClaim();
    expect(compiled.parse(claim)).toStrictEqual(contract.parse(claim));
  });
});

describe('the normalised claim', () => {
  it('is written by JSON.stringify in canonical order: its content hash needs no sorted copy', () => {
    fc.assert(
      fc.property(claims, (claim) => {
        const parsed = contract.safeParse(claim);
        if (!parsed.success) return;
        const normalised = normalizeClaim(parsed.data, 'person');
        expect(JSON.stringify(normalised)).toBe(canonicalJson(normalised));
      }),
      { numRuns: 1500 },
    );
  });
});
