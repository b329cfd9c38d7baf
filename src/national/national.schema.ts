import { z } from '@hono/zod-openapi';

/**
 * The national platform's 3101/3102/3103 shapes (field names are the platform's own). Real
 * callers send numbers as strings, and empty values as "" or null: every optional field accepts
 * all three and reads "" and null as absent. Fields the service does not use are allowed and
 * ignored, as the platform's own adapters do.
 */
const absent = (v: unknown) => v === undefined || v === null || v === '';

/** text or number or ""/null → trimmed text, or undefined when absent */
export const loose = (max = 200) =>
  z
    .union([z.string().max(max, `must be at most ${max} characters`), z.number(), z.null()])
    .optional()
    .transform((v) => (absent(v) ? undefined : String(v).trim() || undefined))
    .openapi({ type: 'string' });

export const required = (max = 200) =>
  loose(max)
    .refine((v) => v !== undefined, { message: 'is required' })
    .openapi({ type: 'string' });

const list = <T extends z.ZodTypeAny>(item: T, max: number) =>
  z
    .union([z.array(item).max(max, `must have at most ${max} entries`), z.null(), z.literal('')])
    .optional()
    .transform((v) => (Array.isArray(v) ? v : []) as z.output<T>[]);

export const OrderSchema = z
  .object({
    rx_id: required(64),
    rxno: loose(64),
    hilist_code: required(50),
    hilist_name: loose(),
    hilist_type: loose(8),
    chrg_type: loose(8),
    hosplist_code: loose(64),
    hosplist_name: loose(),
    cnt: required(24),
    pric: required(24),
    sumamt: required(24),
    spec: loose(),
    drord_begn_date: loose(40),
    drord_stop_date: loose(40),
    drord_dept_codg: loose(32),
    drord_dept_name: loose(100),
    drord_dr_codg: loose(64),
    curr_drord_flag: loose(2),
  })
  .openapi('NationalOrder');

export const DiagnosisSchema = z.object({ dise_codg: required(20), dise_name: loose(), maindise_flag: loose(2), dias_srt_no: loose(8) }).openapi('NationalDiagnosis');

export const EncounterSchema = z
  .object({
    mdtrt_id: required(64),
    medins_id: loose(32),
    medins_name: loose(),
    medins_lv: loose(8),
    adm_date: loose(40),
    dscg_date: loose(40),
    dscg_main_dise_codg: loose(20),
    med_mdtrt_type: loose(8),
    med_type: loose(8),
    medfee_sumamt: loose(24),
    hifp_payamt: loose(24),
    acct_payamt: loose(24),
    ma_amt: loose(24),
    ownpay_amt: loose(24),
    selfpay_amt: loose(24),
    adm_dept_codg: loose(32),
    fsi_diagnose_dtos: list(DiagnosisSchema, 50),
    fsi_order_dtos: list(OrderSchema, 2000),
  })
  .openapi('NationalEncounter');

export const PatientSchema = z
  .object({
    patn_id: required(64),
    gend: required(2),
    brdy: required(40),
    poolarea: loose(16),
    curr_mdtrt_id: required(64),
    fsi_encounter_dtos: list(EncounterSchema, 100),
  })
  .openapi('NationalPatient');

const envelope = <T extends z.ZodTypeAny>(data: T) =>
  z.object({
    infno: loose(8),
    msgid: loose(64),
    mdtrtarea_admvs: loose(16),
    insuplc_admdvs: loose(16),
    recer_sys_code: loose(32),
    infver: loose(16),
    opter_type: loose(8),
    opter: loose(64),
    opter_name: loose(64),
    inf_time: loose(40),
    fixmedins_code: loose(32),
    fixmedins_name: loose(),
    input: z.object({ data }),
  });

export const ReviewRequestSchema = envelope(
  z.object({
    syscode: loose(32),
    task_id: loose(64),
    trig_scen: loose(8),
    rule_ids: z
      .union([z.array(z.string().max(64)).max(500), z.string().max(5000), z.null()])
      .optional()
      .transform((v) => (Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? v.split(',').map((s) => s.trim()) : [])),
    patient_dtos: z.array(PatientSchema).min(1, 'must name at least one patient').max(50, 'must have at most 50 patients'),
  }),
).openapi('National3101Request');

export const FeedbackItemSchema = z.object({ warn_rslt_id: required(64), dspo_way: required(8), dspo_way_rea: loose(1000) });

export const FeedbackRequestSchema = envelope(z.union([z.array(FeedbackItemSchema).min(1).max(1000), FeedbackItemSchema, z.object({ warns: z.array(FeedbackItemSchema).min(1).max(1000) })])).openapi(
  'National3103Request',
);

export type ReviewRequest = z.output<typeof ReviewRequestSchema>;
export type NationalPatient = z.output<typeof PatientSchema>;
export type NationalEncounter = z.output<typeof EncounterSchema>;
