import { DRUGS } from './catalogue-drugs.js';
import type { ClaimDraft, VisitProfile } from './plan.js';

/**
 * Purchases at designated retail pharmacies: refills of chronic medicines (with the chronic
 * diagnosis the prescription names) and over-the-counter acute medicines (no diagnosis).
 */
const at = (d: ClaimDraft) => d.plan.start;
/** the chronic drug's days: drawn, or as an injection or a refill set them */
export const supply = (d: ClaimDraft, lo: number, hi: number) => d.plan.supplyDays ?? d.rng.int(lo, hi);
/** an optional extra drug, drawn as ever, but left out when the plan sets the supply */
const extra = (d: ClaimDraft, p: number) => d.rng.chance(p) && d.plan.supplyDays === undefined;

export const PHARMACY: readonly VisitProfile[] = [
  {
    kind: 'pharmacy',
    diag: { code: 'I10.x00', name: '高血压' },
    weight: [0, 0, 22],
    ages: [40, 92],
    chronic: true,
    build(d) {
      d.drug(DRUGS.nifedipine, at(d), supply(d, 14, 30));
      if (extra(d, 0.35)) d.drug(DRUGS.aspirin, at(d), 30);
    },
  },
  {
    kind: 'pharmacy',
    diag: { code: 'E11.900', name: '2型糖尿病' },
    weight: [0, 0, 14],
    ages: [35, 92],
    chronic: true,
    build(d) {
      d.drug(DRUGS.metformin, at(d), supply(d, 14, 30));
    },
  },
  {
    kind: 'pharmacy',
    diag: { code: 'E78.500', name: '高脂血症' },
    weight: [0, 0, 9],
    ages: [35, 92],
    chronic: true,
    build(d) {
      d.drug(DRUGS.atorvastatin, at(d), supply(d, 14, 28));
    },
  },
  {
    kind: 'pharmacy',
    diag: { code: 'J06.900', name: '急性上呼吸道感染' },
    weight: [0, 0, 30],
    ages: [0, 92],
    noDiagnosis: true,
    build(d) {
      if (d.isChild) {
        d.drug(DRUGS.childFever, at(d), d.rng.int(2, 3));
        return;
      }
      d.drug(d.rng.chance(0.6) ? DRUGS.lianhua : DRUGS.ibuprofen, at(d), d.rng.int(3, 5));
      if (d.rng.chance(0.2)) d.drug(DRUGS.amoxicillin, at(d), d.rng.int(4, 7));
    },
  },
  {
    kind: 'pharmacy',
    diag: { code: 'K29.700', name: '慢性胃炎' },
    weight: [0, 0, 10],
    ages: [18, 92],
    noDiagnosis: true,
    build(d) {
      d.drug(DRUGS.omeprazole, at(d), 7);
    },
  },
  {
    kind: 'pharmacy',
    diag: { code: 'M54.500', name: '腰痛' },
    weight: [0, 0, 10],
    ages: [25, 92],
    noDiagnosis: true,
    build(d) {
      d.drug(DRUGS.ibuprofen, at(d), d.rng.int(5, 7));
    },
  },
  {
    kind: 'pharmacy',
    diag: { code: 'N76.000', name: '急性阴道炎' },
    weight: [0, 0, 3],
    ages: [18, 60],
    sex: 'female',
    noDiagnosis: true,
    build(d) {
      d.drug(DRUGS.clotrimazole, at(d), 7);
    },
  },
];
