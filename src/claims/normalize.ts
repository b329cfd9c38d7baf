import type { Claim, ClaimLine } from '../../rules/claim.js';
import { fenFrom, milliFrom } from '../lib/money.js';
import { cstDate, parseInstant } from '../lib/time.js';
import type { ClaimInput } from './claim.schema.js';

/** Input that passed the schema always parses; a failure here is a bug, not bad input. */
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`validated claim has unparsable ${what}`);
  return value;
}

const instant = (s: string) => must(parseInstant(s), 'instant');
const fen = (v: number | string) => must(fenFrom(v), 'amount');
const milli = (v: number | string) => must(milliFrom(v), 'decimal');
const optionalInstant = (s: string | undefined) => (s === undefined ? undefined : instant(s));

/** Turns a validated claim into the plain data rules see; the raw person id becomes its keyed hash. */
export function normalizeClaim(input: ClaimInput, personHash: string): Claim {
  const lines: ClaimLine[] = input.lines.map((l, i) => {
    const serviceAt = instant(l.serviceAt);
    return {
      lineNo: i + 1,
      lineId: l.lineId,
      itemCode: l.itemCode,
      hospitalItemCode: l.hospitalItemCode,
      hospitalItemName: l.hospitalItemName,
      category: l.category,
      serviceAt,
      serviceDate: cstDate(serviceAt),
      quantity: milli(l.quantity),
      unitPrice: milli(l.unitPrice),
      amountFen: fen(l.amount),
      specification: l.specification,
      daysOfSupply: l.daysOfSupply,
      doctorId: l.doctorId,
      departmentCode: l.departmentCode,
      departmentName: l.departmentName,
    };
  });
  const admittedAt = optionalInstant(input.admittedAt);
  const dischargedAt = optionalInstant(input.dischargedAt);
  const visitAt = optionalInstant(input.visitAt);
  const firstLine = Math.min(...lines.map((l) => l.serviceAt));
  const startedAt = admittedAt ?? visitAt ?? firstLine;
  const endedAt = Math.max(dischargedAt ?? visitAt ?? startedAt, startedAt);
  return {
    institutionId: input.institutionId,
    claimNo: input.claimId,
    personHash,
    sex: input.insured.sex,
    birthDate: input.insured.birthDate,
    visitType: input.visitType,
    medType: input.medType,
    admittedAt,
    dischargedAt,
    visitAt,
    startedAt,
    endedAt,
    settledAt: optionalInstant(input.settledAt),
    departmentCode: input.departmentCode,
    diagnoses: input.diagnoses.map((d) => ({ code: d.code, name: d.name, main: d.main })),
    mainDiagnosis: input.diagnoses.find((d) => d.main)?.code,
    ...(input.injury ? { injury: { cause: input.injury.cause, thirdParty: input.injury.thirdParty } } : {}),
    lines,
    totalFen: fen(input.totalAmount),
    payment: {
      fundFen: fen(input.payment.fund),
      personalAccountFen: fen(input.payment.personalAccount),
      medicalAssistanceFen: fen(input.payment.medicalAssistance),
      cashFen: fen(input.payment.cash),
    },
  };
}

/** The stored copy of what the caller sent, without the raw person id (personal data). */
export function storableBody(input: ClaimInput): Omit<ClaimInput, 'insured'> & { insured: { sex: string; birthDate: string } } {
  const { insured, ...rest } = input;
  return { ...rest, insured: { sex: insured.sex, birthDate: insured.birthDate } };
}
