import type { Claim, ClaimLine } from '../../rules/claim.js';
import { fenFrom, tenThousandthsFrom } from '../lib/money.js';
import { cstDate, parseInstant } from '../lib/time.js';
import type { ClaimInput } from './claim.schema.js';

/** Input that passed the schema always parses; a failure here is a bug, not bad input. */
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`validated claim has unparsable ${what}`);
  return value;
}

const instant = (s: string) => must(parseInstant(s), 'instant');
const fen = (v: number | string) => must(fenFrom(v), 'amount');
const milli = (v: number | string) => must(tenThousandthsFrom(v), 'decimal');
const optionalInstant = (s: string | undefined) => (s === undefined ? undefined : instant(s));

/**
 * Turns a validated claim into the plain data rules see; the raw person id becomes its keyed hash.
 * Every object is built with its keys in sorted order, so `JSON.stringify` of the claim is its
 * canonical JSON (src/lib/hash.ts `canonicalJson`) and the content hash needs no sorted copy
 * (test/claim-schema-compiled.test.ts holds the two equal: a stored hash must keep matching).
 */
export function normalizeClaim(input: ClaimInput, personHash: string): Claim {
  const lines = new Array<ClaimLine>(input.lines.length);
  let firstLine = Infinity;
  for (let i = 0; i < lines.length; i++) {
    const l = input.lines[i] as ClaimInput['lines'][number];
    const serviceAt = instant(l.serviceAt);
    if (serviceAt < firstLine) firstLine = serviceAt;
    lines[i] = {
      amountFen: fen(l.amount),
      category: l.category,
      daysOfSupply: l.daysOfSupply,
      departmentCode: l.departmentCode,
      departmentName: l.departmentName,
      doctorId: l.doctorId,
      hospitalItemCode: l.hospitalItemCode,
      hospitalItemName: l.hospitalItemName,
      itemCode: l.itemCode,
      lineId: l.lineId,
      lineNo: i + 1,
      quantity: milli(l.quantity),
      serviceAt,
      serviceDate: cstDate(serviceAt),
      specification: l.specification,
      unitPrice: milli(l.unitPrice),
    };
  }
  const admittedAt = optionalInstant(input.admittedAt);
  const dischargedAt = optionalInstant(input.dischargedAt);
  const visitAt = optionalInstant(input.visitAt);
  const startedAt = admittedAt ?? visitAt ?? firstLine;
  const endedAt = Math.max(dischargedAt ?? visitAt ?? startedAt, startedAt);
  return {
    admittedAt,
    birthDate: input.insured.birthDate,
    claimNo: input.claimId,
    departmentCode: input.departmentCode,
    diagnoses: input.diagnoses.map((d) => ({ code: d.code, main: d.main, name: d.name })),
    dischargedAt,
    endedAt,
    // undefined rather than left out, so every claim has one shape (JSON.stringify leaves it out alike)
    injury: input.injury ? { cause: input.injury.cause, thirdParty: input.injury.thirdParty } : undefined,
    institutionId: input.institutionId,
    lines,
    mainDiagnosis: input.diagnoses.find((d) => d.main)?.code,
    medType: input.medType,
    payment: {
      cashFen: fen(input.payment.cash),
      fundFen: fen(input.payment.fund),
      medicalAssistanceFen: fen(input.payment.medicalAssistance),
      personalAccountFen: fen(input.payment.personalAccount),
    },
    personHash,
    settledAt: optionalInstant(input.settledAt),
    sex: input.insured.sex,
    startedAt,
    totalFen: fen(input.totalAmount),
    visitAt,
    visitType: input.visitType,
  };
}

/** The stored copy of what the caller sent, without the raw person id (personal data). */
export function storableBody(input: ClaimInput): Omit<ClaimInput, 'insured'> & { insured: { sex: string; birthDate: string } } {
  const { insured, ...rest } = input;
  // the rest pattern's copy takes the stored insured last, as a spread into a new literal would: one copy, not two
  return Object.assign(rest, { insured: { sex: insured.sex, birthDate: insured.birthDate } });
}
