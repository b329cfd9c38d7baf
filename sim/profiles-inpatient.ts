import { CONSUMABLES, DRUGS } from './catalogue-drugs.js';
import { EXAMS, LABS, OPERATIONS, SERVICES } from './catalogue-services.js';
import type { ClaimDraft, StayProfile } from './plan.js';
import { hash32 } from './random.js';

/**
 * Inpatient stays by main diagnosis. Bed, nursing and the daily inpatient visit are added for
 * every night by the stay builder; a profile adds its treatment for day k (0 = admission day).
 */
function infuse(d: ClaimDraft, k: number, bags: number, hour = 9) {
  const at = d.at(k, hour, d.rng.int(0, 50));
  d.add(DRUGS.saline, at, bags);
  d.add(d.isChild ? SERVICES.childInfusion : SERVICES.infusion, at, bags);
  d.add(CONSUMABLES.infusionSet, at, bags);
}
const lab = (d: ClaimDraft, k: number, ...items: (typeof LABS)[keyof typeof LABS][]) => items.forEach((i) => d.add(i, d.at(k, 7, 30)));
const imaging = (d: ClaimDraft, k: number) => d.add(d.inst.level === 'primary' ? EXAMS.fluoroscopy : EXAMS.ct, d.at(k, 10));
const costly = (d: ClaimDraft) => d.inst.behaviours.includes('costly-mix');

/** Hospitals treat half their chest infections with the broader, dearer antibiotic, three times a day. */
function antibiotic(d: ClaimDraft, k: number) {
  const broad = d.inst.level !== 'primary' && !d.isChild && (hash32(d.plan.contentKey) & 1) === 0;
  if (broad || costly(d)) d.add(DRUGS.piperacillinTazobactam, d.at(k, 9), 3);
  else d.add(DRUGS.ceftriaxone, d.at(k, 9), 2);
}

export const INPATIENT: readonly StayProfile[] = [
  {
    kind: 'inpatient',
    diag: { code: 'J18.900', name: '肺炎' },
    weight: [10, 18, 25],
    ages: [0, 92],
    dept: ['A03.01', '呼吸内科'],
    losMedian: 7,
    day(d, k, n) {
      antibiotic(d, k);
      infuse(d, k, 2);
      if (k === 0) {
        lab(d, 0, LABS.bloodCount, LABS.electrolytePanel);
        imaging(d, 0);
        d.add(CONSUMABLES.cannula, d.at(0, 9));
      }
      if ((k === 3 && n > 4) || (costly(d) && k === 5)) lab(d, k, LABS.bloodCount);
    },
    discharge(d, at) {
      if (!d.isChild && d.rng.chance(0.3)) d.drug(DRUGS.levofloxacin, at, d.rng.int(3, 6));
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'I63.900', name: '脑梗死' },
    weight: [12, 12, 4],
    ages: [45, 92],
    dept: ['A03.03', '神经内科'],
    losMedian: 11,
    courseLimited: true,
    intensiveDays: () => 3,
    day(d, k) {
      // 银杏达莫 is paid for at most 14 days (batch 4): a stay's course stops there.
      if (k < 14) {
        d.add(DRUGS.ginkgoDipyridamole, d.at(k, 9), 1);
        infuse(d, k, 1);
      }
      if (d.inst.level !== 'primary' && k < 10) {
        d.add(DRUGS.salvia, d.at(k, 14), 2);
        infuse(d, k, 1, 14);
      }
      if (k === 0) {
        lab(d, 0, LABS.bloodCount, LABS.electrolytePanel, LABS.glucose);
        if (d.inst.level !== 'primary') d.add(EXAMS.ct, d.at(0, 10));
        d.add(EXAMS.ecg, d.at(0, 11));
        d.add(DRUGS.aspirin, d.at(0, 12));
      }
      if (k === 0 || k === 7) d.add(DRUGS.atorvastatin, d.at(k, 12));
    },
    discharge(d, at) {
      d.drug(DRUGS.aspirin, at, 30);
      d.drug(DRUGS.atorvastatin, at, 28);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'I25.100', name: '动脉粥样硬化性心脏病' },
    weight: [14, 8, 2],
    ages: [45, 92],
    dept: ['A03.04', '心血管内科'],
    losMedian: 6,
    monitored: true,
    intensiveDays: (d) => (d.inst.level === 'primary' ? 0 : 2),
    day(d, k, n) {
      if (k < 2) d.add(SERVICES.ecgMonitor, d.at(k, 8, 30), k === 0 ? 12 : 24);
      if (k === 0) {
        lab(d, 0, LABS.bloodCount, LABS.electrolytePanel);
        d.add(EXAMS.ecg, d.at(0, 9));
        d.add(DRUGS.aspirin, d.at(0, 12));
        d.add(DRUGS.atorvastatin, d.at(0, 12));
        // Angiography first, the stent on a later day: the stent includes angiography of its own day.
        if (d.inst.level === 'tertiary' && n >= 2 && d.rng.chance(0.6)) {
          d.add(OPERATIONS.angiography, d.at(0, 15));
          d.add(OPERATIONS.stent, d.at(1, 10));
          d.add(CONSUMABLES.drugElutingStent, d.at(1, 10), d.rng.chance(0.3) ? 2 : 1);
        }
      }
    },
    discharge(d, at) {
      d.drug(DRUGS.aspirin, at, 30);
      d.drug(DRUGS.atorvastatin, at, 28);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'I50.900', name: '心力衰竭' },
    weight: [6, 6, 2],
    ages: [55, 92],
    dept: ['A03.04', '心血管内科'],
    losMedian: 9,
    monitored: true,
    intensiveDays: (d) => (d.inst.level === 'primary' ? 0 : 2),
    day(d, k, n) {
      if (k < n - 1) {
        d.add(DRUGS.furosemide, d.at(k, 9), 2);
        infuse(d, k, 1);
      }
      if (k === 0) {
        lab(d, 0, LABS.bloodCount, LABS.electrolytePanel);
        d.add(EXAMS.ecg, d.at(0, 9));
        // Invasive pressure monitoring includes the ECG of the same hour: ECG monitoring follows it.
        if (d.inst.level !== 'primary') d.add(SERVICES.invasiveBp, d.at(0, 10), 12);
      }
      if (k >= 1 && k < 3) d.add(SERVICES.ecgMonitor, d.at(k, 8, 30), 24);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'J44.100', name: '慢性阻塞性肺病伴急性加重' },
    weight: [6, 8, 10],
    ages: [50, 92],
    dept: ['A03.01', '呼吸内科'],
    losMedian: 9,
    day(d, k) {
      antibiotic(d, k);
      infuse(d, k, 2);
      if (k < 3) d.add(SERVICES.pulseOximetry, d.at(k, 8, 20), k === 0 ? 12 : 24);
      if (k === 0) {
        lab(d, 0, LABS.bloodCount, LABS.electrolytePanel);
        imaging(d, 0);
      }
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'E11.900', name: '2型糖尿病' },
    weight: [5, 6, 6],
    ages: [35, 92],
    dept: ['A03.06', '内分泌科'],
    losMedian: 8,
    day(d, k) {
      d.add(LABS.glucose, d.at(k, 7), 4);
      if (k % 5 === 0) d.add(DRUGS.insulin, d.at(k, 8));
      if (k === 0) {
        lab(d, 0, LABS.bloodCount);
        if (d.plan.hba1c) d.add(LABS.hba1c, d.at(0, 7, 40));
      }
      if (k === 1 && d.inst.level !== 'primary') d.add(LABS.insulinLevel, d.at(1, 7, 30));
    },
    discharge(d, at) {
      d.drug(DRUGS.metformin, at, 30);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'K35.800', name: '急性阑尾炎' },
    weight: [4, 6, 2],
    ages: [8, 70],
    dept: ['A04.01', '普通外科'],
    losMedian: 5,
    hospitalOnly: true,
    day(d, k) {
      if (k === 0) {
        lab(d, 0, LABS.bloodCount);
        d.add(CONSUMABLES.cannula, d.at(0, 9));
        d.add(OPERATIONS.appendectomy, d.plan.start + 3 * 3_600_000);
      }
      if (k <= 2) {
        d.add(DRUGS.ceftriaxone, d.at(k, 9), 2);
        infuse(d, k, 2);
      }
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'O80.000', name: '单胎顺产' },
    weight: [4, 6, 3],
    ages: [20, 40],
    sex: 'female',
    dept: ['A05.02', '产科'],
    losMedian: 3,
    minNights: 2,
    hospitalOnly: true,
    intensiveDays: () => 1,
    day(d, k) {
      if (k !== 0) return;
      // Fetal monitoring on arrival, delivery at least eight hours later: outside the 6-hour window.
      d.add(EXAMS.fetalHeart, d.plan.start + 20 * 60_000);
      d.add(OPERATIONS.delivery, d.plan.start + d.rng.int(8, 12) * 3_600_000);
      lab(d, 0, LABS.bloodCount);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'Z51.100', name: '恶性肿瘤化学治疗' },
    secondary: { code: 'C18.900', name: '结肠恶性肿瘤' },
    weight: [4, 2, 0],
    ages: [30, 80],
    dept: ['A19', '肿瘤科'],
    losMedian: 3,
    minLevel: 'secondary',
    planned: true,
    day(d, k, n) {
      if (k === 0) lab(d, 0, LABS.bloodCount, LABS.electrolytePanel);
      if (k === Math.min(1, n - 1)) {
        d.add(DRUGS.oxaliplatin, d.at(k, 10), 2);
        d.add(DRUGS.dextrose, d.at(k, 10), 1);
        infuse(d, k, 2, 10);
      }
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'N39.000', name: '泌尿道感染' },
    weight: [3, 4, 5],
    ages: [18, 92],
    dept: ['A03', '内科'],
    losMedian: 5,
    day(d, k) {
      if (k <= 2) {
        d.add(DRUGS.ceftriaxone, d.at(k, 9), 2);
        infuse(d, k, 2);
      }
      if (k === 0) lab(d, 0, LABS.bloodCount);
    },
    discharge(d, at) {
      d.drug(DRUGS.levofloxacin, at, 5);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'S72.000', name: '股骨颈骨折' },
    weight: [3, 3, 0],
    ages: [60, 92],
    dept: ['A04.06', '骨科'],
    losMedian: 14,
    hospitalOnly: true,
    minLevel: 'secondary',
    day(d, k) {
      d.add(SERVICES.externalFixator, d.at(k, 8, 40));
      if (k <= 2) {
        d.add(DRUGS.ceftriaxone, d.at(k, 9), 2);
        infuse(d, k, 2);
      }
      if (k === 0) {
        lab(d, 0, LABS.bloodCount, LABS.electrolytePanel);
        d.add(EXAMS.ct, d.at(0, 10));
      }
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'I10.x00', name: '高血压' },
    weight: [1, 3, 8],
    ages: [40, 92],
    dept: ['A03.04', '心血管内科'],
    losMedian: 6,
    day(d, k, n) {
      if (k < n - 1) {
        d.add(DRUGS.dextrose, d.at(k, 9), 1);
        infuse(d, k, 1);
      }
      if (k === 0) {
        lab(d, 0, LABS.bloodCount, LABS.glucose);
        d.add(EXAMS.ecg, d.at(0, 9));
        d.add(DRUGS.nifedipine, d.at(0, 12));
      }
    },
    discharge(d, at) {
      d.drug(DRUGS.nifedipine, at, 30);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'I69.300', name: '脑梗死后遗症' },
    weight: [0, 2, 10],
    ages: [50, 92],
    dept: ['A03.03', '神经内科'],
    losMedian: 14,
    day(d, k) {
      if (k % 2 === 0) {
        d.add(DRUGS.dextrose, d.at(k, 9), 1);
        infuse(d, k, 1);
      }
      if (k === 0) {
        lab(d, 0, LABS.bloodCount);
        d.add(EXAMS.ecg, d.at(0, 9));
        d.add(DRUGS.aspirin, d.at(0, 12));
      }
    },
  },
];

/**
 * Admissions below the standard (降低入院标准, 小病大治): a day to three in hospital for what an
 * outpatient clinic treats, with the tests and drugs of an outpatient visit. Never drawn for an
 * honest stay; only the injection 'low-standard-admission' uses them.
 */
export const LOW_STANDARD: readonly StayProfile[] = [
  {
    kind: 'inpatient',
    diag: { code: 'J06.900', name: '急性上呼吸道感染' },
    weight: [1, 1, 1],
    ages: [18, 92],
    dept: ['A03', '内科'],
    losMedian: 2,
    day(d, k) {
      if (k === 0) lab(d, 0, LABS.bloodCount);
      d.add(DRUGS.lianhua, d.at(k, 9), 1);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'K52.900', name: '胃肠炎' },
    weight: [1, 1, 1],
    ages: [18, 92],
    dept: ['A03.02', '消化内科'],
    losMedian: 2,
    day(d, k) {
      if (k === 0) lab(d, 0, LABS.bloodCount, LABS.stoolRoutine);
      infuse(d, k, 1);
    },
  },
  {
    kind: 'inpatient',
    diag: { code: 'M54.500', name: '腰痛' },
    weight: [1, 1, 1],
    ages: [25, 92],
    dept: ['A04.06', '骨科'],
    losMedian: 2,
    day(d, k) {
      if (k === 0) d.add(EXAMS.fluoroscopy, d.at(0, 10));
      d.add(DRUGS.ibuprofen, d.at(k, 9), 1);
    },
  },
];
