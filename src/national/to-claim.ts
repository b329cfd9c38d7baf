import type { NationalEncounter, NationalPatient } from './national.schema.js';

/**
 * Turns one national encounter into the service's own claim JSON, to be validated by the same
 * claim schema as every other claim. The national review checks a visit before or during
 * settlement, so there is no payment split yet: the whole amount is put under cash.
 */
const CHARGE_CATEGORY: Record<string, string> = {
  '01': 'bed',
  '02': 'service',
  '03': 'exam',
  '04': 'lab',
  '05': 'service',
  '06': 'operation',
  '07': 'nursing',
  '08': 'consumable',
  '09': 'drug',
  '10': 'drug',
  '11': 'drug',
  '12': 'service',
  '13': 'service',
  '14': 'service',
};
const LIST_CATEGORY: Record<string, string> = { '101': 'drug', '102': 'drug', '103': 'drug', '201': 'service', '301': 'consumable' };

export function visitTypeOf(e: NationalEncounter): 'outpatient' | 'inpatient' | 'pharmacy' {
  const code = e.med_type ?? e.med_mdtrt_type ?? '';
  if (code.startsWith('2')) return 'inpatient';
  if (code.startsWith('4')) return 'pharmacy';
  return 'outpatient';
}

/** Rounds a decimal text half-up to `places` (national unit prices often carry six). */
export function roundDecimal(text: string, places: number): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return text;
  const [, sign, whole = '0', frac = ''] = m;
  if (frac.length <= places) return text.trim();
  const scaled = BigInt(whole + frac.slice(0, places)) + (Number(frac[places]) >= 5 ? 1n : 0n);
  const digits = scaled.toString().padStart(places + 1, '0');
  return `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

const sumFen = (amounts: string[]) => amounts.reduce((s, a) => s + Math.round(Number(a) * 100), 0);

export function encounterToClaim(patient: NationalPatient, e: NationalEncounter, fallbackInstitution: string | undefined) {
  const visitType = visitTypeOf(e);
  const lines = e.fsi_order_dtos.map((o) => ({
    lineId: o.rx_id,
    itemCode: o.hilist_code,
    hospitalItemCode: o.hosplist_code,
    hospitalItemName: o.hosplist_name,
    category: CHARGE_CATEGORY[o.chrg_type ?? ''] ?? LIST_CATEGORY[o.hilist_type ?? ''] ?? 'service',
    serviceAt: o.drord_begn_date ?? e.adm_date,
    quantity: o.cnt,
    unitPrice: o.pric === undefined ? undefined : roundDecimal(o.pric, 4),
    amount: o.sumamt,
    specification: o.spec,
    doctorId: o.drord_dr_codg,
    departmentCode: o.drord_dept_codg,
    departmentName: o.drord_dept_name,
  }));
  const total = (sumFen(lines.map((l) => l.amount ?? '0')) / 100).toFixed(2);
  const diagnoses = e.fsi_diagnose_dtos.map((d) => ({ code: d.dise_codg, name: d.dise_name, main: d.maindise_flag === '1' }));
  if (diagnoses.length === 0 && e.dscg_main_dise_codg) diagnoses.push({ code: e.dscg_main_dise_codg, name: undefined, main: true });
  return {
    institutionId: e.medins_id ?? fallbackInstitution,
    claimId: e.mdtrt_id,
    insured: { id: patient.patn_id, sex: patient.gend === '1' ? 'male' : patient.gend === '2' ? 'female' : patient.gend, birthDate: patient.brdy?.slice(0, 10) },
    visitType,
    medType: e.med_type,
    ...(visitType === 'inpatient' ? { admittedAt: e.adm_date, dischargedAt: e.dscg_date ?? lastLine(lines) } : { visitAt: e.adm_date ?? lines[0]?.serviceAt }),
    departmentCode: e.adm_dept_codg,
    diagnoses,
    lines,
    totalAmount: total,
    payment: { fund: '0', personalAccount: '0', medicalAssistance: '0', cash: total },
  };
}

/** A stay still open at the review ends, for the check, at its last order. */
function lastLine(lines: { serviceAt?: string | undefined }[]) {
  return (
    lines
      .map((l) => l.serviceAt ?? '')
      .sort()
      .at(-1) || undefined
  );
}

/** Our contract's field names, as the national caller knows them, for error paths. */
const NATIONAL_NAMES: Record<string, string> = {
  institutionId: 'medins_id',
  claimId: 'mdtrt_id',
  'insured.id': 'patn_id',
  'insured.sex': 'gend',
  'insured.birthDate': 'brdy',
  admittedAt: 'adm_date',
  dischargedAt: 'dscg_date',
  visitAt: 'adm_date',
  diagnoses: 'fsi_diagnose_dtos',
  lines: 'fsi_order_dtos',
  lineId: 'rx_id',
  itemCode: 'hilist_code',
  serviceAt: 'drord_begn_date',
  quantity: 'cnt',
  unitPrice: 'pric',
  amount: 'sumamt',
  code: 'dise_codg',
  hospitalItemName: 'hosplist_name',
  hospitalItemCode: 'hosplist_code',
  specification: 'spec',
  totalAmount: 'medfee_sumamt',
};

export function nationalPath(ourPath: string): string {
  if (NATIONAL_NAMES[ourPath]) return NATIONAL_NAMES[ourPath];
  return ourPath.replace(/[A-Za-z]+/g, (name) => NATIONAL_NAMES[name] ?? name);
}
