import { CONSUMABLES, DRUGS } from './catalogue-drugs.js';
import { EXAMS, LABS, SERVICES } from './catalogue-services.js';
import type { ClaimDraft, VisitProfile } from './plan.js';
import { hash32 } from './random.js';

/**
 * Outpatient visits by diagnosis (ICD-10, national 2.0 extension codes) and pharmacy purchases.
 * Each adds the lines a doctor of that department typically orders after the visit fee.
 */
const after = (d: ClaimDraft, minutes: number) => d.plan.start + minutes * 60_000;
const acuteDays = (d: ClaimDraft) => d.rng.int(3, 7);
/** a chronic drug's days: drawn, or as an injection sets them (sim/plan-injections.ts) */
const chronicDays = (d: ClaimDraft) => d.plan.supplyDays ?? d.rng.int(14, 30);
/** an optional extra drug, drawn as ever, but left out when the plan sets the supply */
const extra = (d: ClaimDraft, p: number) => d.rng.chance(p) && d.plan.supplyDays === undefined;
const costly = (d: ClaimDraft) => d.inst.behaviours.includes('costly-mix');

function infusionTherapy(d: ClaimDraft) {
  const at = after(d, 45);
  d.add(DRUGS.ceftriaxone, at, 1);
  d.add(DRUGS.saline, at, 1);
  d.add(d.isChild ? SERVICES.childInfusion : SERVICES.infusion, at, 1);
  d.add(CONSUMABLES.infusionSet, at, 1);
}

export const OUTPATIENT: readonly VisitProfile[] = [
  {
    kind: 'outpatient',
    diag: { code: 'J06.900', name: '急性上呼吸道感染' },
    weight: [15, 20, 28],
    ages: [0, 92],
    dept: ['A03', '内科'],
    build(d) {
      if (d.rng.chance(costly(d) ? 1 : 0.4)) d.add(LABS.bloodCount, after(d, 15));
      if (d.isChild) {
        d.drug(DRUGS.childFever, after(d, 40), d.rng.int(2, 3));
        if (d.rng.chance(0.2)) d.add(SERVICES.childMassage, after(d, 50));
        return;
      }
      if (d.rng.chance(0.6)) d.drug(DRUGS.lianhua, after(d, 40), d.rng.int(3, 6));
      if (d.rng.chance(0.4)) d.drug(DRUGS.ibuprofen, after(d, 40), d.rng.int(3, 5));
      if (d.rng.chance(0.25)) d.drug(DRUGS.amoxicillin, after(d, 40), acuteDays(d));
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'J20.900', name: '急性支气管炎' },
    weight: [6, 8, 8],
    ages: [0, 92],
    dept: ['A03.01', '呼吸内科'],
    build(d) {
      if (d.rng.chance(0.6)) d.add(LABS.bloodCount, after(d, 15));
      if (d.rng.chance(0.3)) d.add(EXAMS.fluoroscopy, after(d, 25));
      if (d.rng.chance(0.35)) infusionTherapy(d);
      else if (d.isChild) d.drug(DRUGS.childFever, after(d, 40), 3);
      else d.drug(d.rng.chance(0.6) ? DRUGS.amoxicillin : DRUGS.levofloxacin, after(d, 40), d.rng.int(5, 7));
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'I10.x00', name: '高血压' },
    weight: [12, 14, 20],
    ages: [40, 92],
    dept: ['A03.04', '心血管内科'],
    chronic: true,
    build(d) {
      d.drug(DRUGS.nifedipine, after(d, 20), chronicDays(d));
      if (extra(d, 0.4)) d.drug(DRUGS.aspirin, after(d, 20), 30);
      if (d.rng.chance(costly(d) ? 0.8 : 0.15)) d.add(EXAMS.ecg, after(d, 10));
      // a look-alike for ITEM-INDICATION: 1 in 6 is diabetic too, metformin prescribed under the
      // second diagnosis (drawn by hash, so the visit's other draws stay as they were)
      if (hash32(`${d.plan.contentKey}|comorbid`) % 6 === 0) {
        d.extraDiagnoses.push({ code: 'E11.900', name: '2型糖尿病' });
        d.drug(DRUGS.metformin, after(d, 20), 30);
      }
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'E11.900', name: '2型糖尿病' },
    weight: [10, 10, 12],
    ages: [35, 92],
    dept: ['A03.06', '内分泌科'],
    chronic: true,
    build(d) {
      // a visit for the HbA1c test only (a second one inside its cycle) takes nothing home
      const days = chronicDays(d);
      if (!d.plan.noTakeHome) d.drug(DRUGS.metformin, after(d, 30), days);
      if (extra(d, 0.2) && !d.plan.noTakeHome) d.drug(DRUGS.insulin, after(d, 30), 30);
      // The oral glucose tolerance test already includes the glucose tests of the day.
      if (d.inst.level !== 'primary' && d.rng.chance(0.05)) d.add(LABS.ogtt, after(d, 10));
      else if (d.rng.chance(0.6)) d.add(LABS.glucose, after(d, 10));
      if (d.plan.hba1c) d.add(LABS.hba1c, after(d, 12));
      if (d.inst.level !== 'primary' && d.rng.chance(0.05)) d.add(LABS.insulinLevel, after(d, 14));
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'E78.500', name: '高脂血症' },
    weight: [5, 5, 5],
    ages: [35, 92],
    dept: ['A03.04', '心血管内科'],
    chronic: true,
    build(d) {
      d.drug(DRUGS.atorvastatin, after(d, 20), d.rng.int(21, 28));
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'K29.700', name: '慢性胃炎' },
    weight: [7, 7, 7],
    ages: [18, 92],
    dept: ['A03.02', '消化内科'],
    build(d) {
      d.drug(costly(d) && d.rng.chance(0.7) ? DRUGS.esomeprazole : DRUGS.omeprazole, after(d, 20), 7);
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'K52.900', name: '胃肠炎' },
    weight: [4, 5, 6],
    ages: [0, 92],
    dept: ['A03.02', '消化内科'],
    build(d) {
      if (d.rng.chance(0.7)) d.add(LABS.stoolRoutine, after(d, 15));
      if (d.rng.chance(0.4)) d.add(LABS.bloodCount, after(d, 15));
      if (!d.isChild && d.rng.chance(0.3)) d.drug(DRUGS.omeprazole, after(d, 30), acuteDays(d));
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'N76.000', name: '急性阴道炎' },
    weight: [3, 3, 2],
    ages: [18, 60],
    sex: 'female',
    dept: ['A05.01', '妇科'],
    build(d) {
      if (d.rng.chance(0.9)) d.add(LABS.vaginalSecretion, after(d, 10));
      if (d.rng.chance(0.25)) d.add(EXAMS.transvaginalUltrasound, after(d, 25));
      d.drug(DRUGS.clotrimazole, after(d, 35), 7);
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'N41.000', name: '急性前列腺炎' },
    weight: [2, 2, 1],
    ages: [20, 80],
    sex: 'male',
    dept: ['A04.03', '泌尿外科'],
    build(d) {
      if (d.rng.chance(0.8)) d.add(LABS.prostaticFluid, after(d, 10));
      d.drug(DRUGS.levofloxacin, after(d, 30), d.rng.int(6, 7));
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'M54.500', name: '腰痛' },
    weight: [6, 6, 8],
    ages: [25, 92],
    dept: ['A04.06', '骨科'],
    build(d) {
      d.drug(DRUGS.ibuprofen, after(d, 20), d.rng.int(5, 7));
      if (costly(d) || d.rng.chance(0.1)) d.add(EXAMS.fluoroscopy, after(d, 15));
    },
  },
  {
    // an injury: the claim declares how it happened (wire.ts), so the fund may pay it
    kind: 'outpatient',
    diag: { code: 'S93.401', name: '踝关节扭伤' },
    weight: [3, 3, 4],
    ages: [10, 75],
    dept: ['A04.06', '骨科'],
    build(d) {
      if (d.rng.chance(0.7)) d.add(EXAMS.fluoroscopy, after(d, 15));
      d.drug(DRUGS.ibuprofen, after(d, 30), d.rng.int(5, 7));
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'Z34.900', name: '正常妊娠监督' },
    weight: [3, 3, 1],
    ages: [20, 40],
    sex: 'female',
    dept: ['A05.02', '产科'],
    build(d) {
      if (d.rng.chance(0.5)) d.add(LABS.pregnancyTest, after(d, 10));
      if (d.rng.chance(0.6)) d.add(EXAMS.transvaginalUltrasound, after(d, 30));
      if (d.rng.chance(0.5)) d.add(LABS.bloodCount, after(d, 12));
    },
  },
  {
    kind: 'outpatient',
    diag: { code: 'I25.100', name: '动脉粥样硬化性心脏病' },
    weight: [5, 4, 4],
    ages: [45, 92],
    dept: ['A03.04', '心血管内科'],
    chronic: true,
    build(d) {
      d.drug(DRUGS.aspirin, after(d, 20), 30);
      d.drug(DRUGS.atorvastatin, after(d, 20), 28);
      if (d.rng.chance(0.3)) d.add(EXAMS.ecg, after(d, 10));
    },
  },
];
