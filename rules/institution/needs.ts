import type { Claim } from '../claim.js';
import { categoryRanges, inRanges } from '../diagnosis/icd.js';
import type { ReferenceView } from '../reference.js';
import { cstDate } from '../stays/stay.js';
import { OUTPATIENT_TREATABLE } from '../stays/low-standard-admission.js';
import { doctorOf } from './window.js';

/** Which parts of the institution window a claim's rules could judge; a part not needed is not read. */
export interface WindowNeeds {
  nearby: boolean;
  admissions: boolean;
  /** the ICD-10 categories and ranges whose stays ADMISSION-CLUSTER counts (its outpatient-treatable list): the only short stays read; every category when absent */
  admissionCategories?: readonly string[] | undefined;
  doctor: boolean;
  /** 0: no census; else the most stays worth counting (one more than BED-CENSUS's limit, which it then exceeds) */
  census: number;
}

/**
 * What the institution window must read for a claim, from the claim, the reference data and the
 * rules' current parameters: CARD-BURST judges outpatient and pharmacy baskets of at least
 * `minItems` items of its categories (drugs and consumables); ADMISSION-CLUSTER stays whose main diagnosis is on its outpatient-treatable
 * list; DOCTOR-CAPACITY a doctor the register gives a capacity for the visit kind; BED-CENSUS a stay
 * at an institution with beds, counted up to one more than its limit. Everything else reads nothing, so a claim no window rule can judge
 * costs the database nothing more.
 */
export function windowNeeds(c: Claim, reference: ReferenceView, params: (ruleId: string) => Record<string, unknown> | undefined): WindowNeeds {
  const date = cstDate(c.startedAt);
  const minItems = Number(params('CARD-BURST')?.minItems ?? 2);
  const basket = (params('CARD-BURST')?.categories as string[] | undefined) ?? ['drug', 'consumable'];
  const treatable = (params('ADMISSION-CLUSTER')?.outpatientTreatable as string[] | undefined) ?? OUTPATIENT_TREATABLE;
  const main = c.diagnoses.find((d) => d.main)?.code;
  const doctorId = doctorOf(c);
  const doctor = doctorId === undefined ? undefined : reference.doctor(doctorId, date);
  const capacity = c.visitType === 'inpatient' ? doctor?.admissionsPerDay : doctor?.outpatientPerDay;
  return {
    nearby: c.visitType !== 'inpatient' && new Set(c.lines.filter((l) => basket.includes(l.category)).map((l) => l.itemCode)).size >= minItems,
    admissions: c.visitType === 'inpatient' && main !== undefined && inRanges(main, categoryRanges(treatable)),
    admissionCategories: treatable,
    doctor: capacity !== undefined && doctor?.institutionId === c.institutionId,
    census: c.visitType === 'inpatient' ? censusCap(reference.institution(c.institutionId, date)?.beds ?? 0, params('BED-CENSUS')) : 0,
  };
}

/** BED-CENSUS's limit plus one: counting further changes no decision, and keeps a census read bounded by the beds */
function censusCap(beds: number, p: Record<string, unknown> | undefined): number {
  if (beds <= 0) return 0;
  const marginPct = Number(p?.marginPct ?? 50);
  const minExcess = Number(p?.minExcess ?? 3);
  return beds + Math.max(Math.ceil((beds * marginPct) / 100), minExcess) + 1;
}
