import { formatFen, formatTenThousandths, lineAmountFen } from '../src/lib/money.js';
import type { DraftClaim } from './draft.js';
import { splitPayment } from './payment.js';
import type { StayProfile } from './plan.js';
import { hash32 } from './random.js';
import type { Category } from './types.js';

const INJURY = /^[ST]/;
const OWN_CAUSES = ['fall', 'sport', 'household'] as const;

/** An injury's declaration as honest claimants send it: how it happened, and nobody else liable. */
function ownDeclaration(claimId: string, diagnosis: string): WireClaim['injury'] {
  if (!INJURY.test(diagnosis)) return undefined;
  return { cause: OWN_CAUSES[hash32(`${claimId}|injury`) % OWN_CAUSES.length] as string, thirdParty: 'none' };
}

/** The claim as the settlement system sends it: the JSON contract of POST /v1/claims. */
export interface WireLine {
  lineId: string;
  itemCode: string;
  hospitalItemCode: string;
  hospitalItemName: string;
  category: Category;
  serviceAt: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  specification?: string;
  daysOfSupply?: number;
  doctorId?: string;
  departmentCode?: string;
  departmentName?: string;
}

export interface WireClaim {
  institutionId: string;
  claimId: string;
  insured: { id: string; sex: 'male' | 'female'; birthDate: string };
  visitType: 'outpatient' | 'inpatient' | 'pharmacy';
  medType: string;
  admittedAt?: string;
  dischargedAt?: string;
  visitAt?: string;
  settledAt: string;
  departmentCode?: string;
  diagnoses: { code: string; name: string; main: boolean }[];
  injury?: { cause: string; thirdParty: 'none' | 'liable' | 'unknown' };
  lines: WireLine[];
  totalAmount: string;
  payment: { fund: string; personalAccount: string; medicalAssistance: string; cash: string };
}

const MED_TYPE = { outpatient: '11', inpatient: '21', pharmacy: '41' } as const;

/** An instant as ISO 8601 with the China Standard Time offset. */
export const isoCst = (ms: number) => `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

/** A quantity without trailing zeros: "2", "0.5". */
const quantityText = (scaled: number) => formatTenThousandths(scaled).replace(/\.?0+$/, '');

export function toWire(d: DraftClaim): WireClaim {
  const { plan } = d;
  const profile = plan.profile;
  const dept = profile.dept;
  const drawnDoctor = `${plan.inst.id}-D${String(d.rng.int(1, 5 + Math.floor(plan.inst.beds / 25))).padStart(3, '0')}`;
  const doctorId = plan.doctorId ?? drawnDoctor;
  const lines: WireLine[] = d.lines.map((l) => ({
    lineId: l.lineId,
    itemCode: l.item.code,
    hospitalItemCode: l.hospitalItemCode,
    hospitalItemName: l.hospitalItemName,
    category: l.item.category,
    serviceAt: isoCst(l.at),
    quantity: quantityText(l.quantity),
    unitPrice: formatTenThousandths(l.unitPrice),
    amount: formatFen(lineAmountFen(l.unitPrice, l.quantity)),
    ...(l.item.spec ? { specification: l.item.spec } : {}),
    ...(l.daysOfSupply !== undefined ? { daysOfSupply: l.daysOfSupply } : {}),
    ...(l.noPrescription ? {} : { doctorId }),
    ...(dept ? { departmentCode: dept[0], departmentName: dept[1] } : {}),
  }));
  const totalFen = d.lines.reduce((sum, l) => sum + lineAmountFen(l.unitPrice, l.quantity), 0);
  const diagnoses =
    profile.kind === 'pharmacy' && profile.noDiagnosis
      ? []
      : [{ ...profile.diag, main: true }, ...(profile.kind === 'inpatient' && (profile as StayProfile).secondary ? [{ ...(profile as StayProfile).secondary!, main: false }] : [])];
  // A newborn treated during its mother's delivery stay is billed on her card (新生儿随母就医): a
  // perinatal diagnosis on a woman's claim that the age rule must let pass.
  if (profile.diag.code === 'O80.000' && hash32(`${plan.contentKey}|newborn`) % 4 === 0) diagnoses.push({ code: 'P59.900', name: '新生儿黄疸', main: false });
  for (const extra of d.extraDiagnoses) diagnoses.push({ ...extra, main: diagnoses.length === 0 });
  const injury = d.injury === undefined ? ownDeclaration(plan.contentKey, profile.diag.code) : (d.injury ?? undefined);
  const pay = splitPayment(d, totalFen, diagnoses.length > 0);
  // An injury the fund pays nothing of (a stay below the deductible) costs the fund nothing: no
  // third party's share to recover, so an injected declaration is no violation there.
  if (pay.fund === 0) for (let i = d.truths.length - 1; i >= 0; i--) if (d.truths[i]!.family === 'injury-liability') d.truths.splice(i, 1);
  return {
    institutionId: plan.inst.id,
    claimId: plan.claimId,
    insured: { id: plan.person.id, sex: plan.person.sex, birthDate: plan.person.birthDate },
    visitType: plan.kind,
    medType: MED_TYPE[plan.kind],
    ...(plan.kind === 'inpatient' ? { admittedAt: isoCst(plan.start), dischargedAt: isoCst(plan.end) } : { visitAt: isoCst(plan.start) }),
    settledAt: isoCst(plan.arrival),
    ...(dept ? { departmentCode: dept[0] } : {}),
    diagnoses,
    ...(injury ? { injury } : {}),
    lines,
    totalAmount: formatFen(totalFen),
    payment: { fund: formatFen(pay.fund), personalAccount: formatFen(pay.personalAccount), medicalAssistance: formatFen(pay.medicalAssistance), cash: formatFen(pay.cash) },
  };
}
