import { z } from 'zod';
import type { Claim } from '../claim.js';
import { categoryRanges, diagnosisList, inRanges, type CategoryRanges } from '../diagnosis/icd.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim } from '../fixtures/build.js';
import { icdCategory, list, range } from '../params.js';
import { OUTPATIENT_TREATABLE } from '../stays/low-standard-admission.js';
import { cstDate, daysBetween } from '../stays/stay.js';
import { yuan } from '../text.js';
import { asWindowClaim, emptyWindow, windowRef, WINDOW, type WindowClaim } from './window.js';

export interface AdmissionClusterParams {
  /** short admissions (this one included) within the window that make a cluster */
  minAdmissions: number;
  /** days either side of this admission */
  windowDays: number;
  /** the longest stay counted, in calendar days from admission to discharge */
  maxDays: number;
  /** main diagnoses an outpatient clinic treats (as STAY-LOW-STANDARD's) */
  outpatientTreatable: string[];
  /** the other stays a finding names (and references), the nearest in admission date first */
  maxNamed: number;
}

interface Short {
  admitted: string;
  days: number;
  main: string;
}

function shortStay(startedAt: number, endedAt: number, main: string | undefined, operation: boolean, p: AdmissionClusterParams, ranges: CategoryRanges): Short | undefined {
  if (main === undefined || operation || !inRanges(main, ranges)) return undefined;
  const admitted = cstDate(startedAt);
  const days = daysBetween(admitted, cstDate(endedAt));
  return days <= p.maxDays ? { admitted, days, main } : undefined;
}

/**
 * Induced admissions in numbers (诱导住院, 批量收治): at one institution, `minAdmissions` or more
 * short stays (at most `maxDays` days, no operation) with a main diagnosis an outpatient clinic
 * treats, admitted within `windowDays` days of each other, as when an institution recruits people
 * (free bus, gifts) to be admitted for a day or three. Each such stay already goes to review alone
 * (STAY-LOW-STANDARD); a cluster sends it as an institution's pattern (high), whole. The stay that
 * completes a cluster also files the finding on each earlier stay of it (retrospectively, one
 * each); later stays carry their own. An epidemic (many admissions for influenza or pneumonia at
 * a proper length of stay) is no cluster: neither its diagnoses nor its stays qualify.
 * A finding counts every stay of the cluster and names the `maxNamed` nearest to this one in
 * admission date: each stay of a large cluster already carries its own finding, and naming them
 * all would make every new stay's finding (its text, and a reference on each stay named) grow
 * with the cluster, up to the window's 200 (version 2; version 1 named them all).
 */
export const admissionCluster: Rule<AdmissionClusterParams> = {
  id: 'ADMISSION-CLUSTER',
  version: 2,
  family: 'admission-cluster',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '同一机构一周内多例短期住院 (无手术) 且主诊断为门诊可治疗疾病: 疑似成批诱导住院, 转人工审核',
    en: 'At one institution, several short stays (no operation) within a week whose main diagnoses an outpatient clinic treats: possibly admissions induced in numbers, for review',
  },
  effectiveFrom: '2000-01-01',
  defaults: { minAdmissions: 5, windowDays: 7, maxDays: 3, outpatientTreatable: [...OUTPATIENT_TREATABLE], maxNamed: 20 },
  paramSchema: z
    .object({
      minAdmissions: range({ min: 2, max: 100, int: true }),
      windowDays: range({ min: 1, max: WINDOW.admissionDays, int: true }),
      maxDays: range({ min: 1, max: WINDOW.admissionMaxStay, int: true }),
      outpatientTreatable: list(icdCategory(), 500),
      maxNamed: range({ min: 1, max: WINDOW.admissionsMax, int: true }),
    })
    .strict(),
  evaluate({ claim: c, history, params: p }) {
    if (c.visitType !== 'inpatient' || c.admittedAt === undefined) return [];
    const admissions = history.institution?.admissions ?? [];
    if (admissions.length < p.minAdmissions - 1) return [];
    const ranges = categoryRanges(p.outpatientTreatable);
    const main = c.diagnoses.find((d) => d.main);
    const mine = shortStay(
      c.startedAt,
      c.endedAt,
      main?.code,
      c.lines.some((l) => l.category === 'operation'),
      p,
      ranges,
    );
    if (!mine || !main) return [];
    const members: { w: WindowClaim; s: Short }[] = [];
    for (const w of admissions) {
      if (w.visitType !== 'inpatient') continue;
      const s = shortStay(w.startedAt, w.endedAt, w.mainDiagnosis, w.operation, p, ranges);
      if (s && Math.abs(daysBetween(mine.admitted, s.admitted)) <= p.windowDays) members.push({ w, s });
    }
    const count = members.length + 1;
    if (count < p.minAdmissions) return [];
    const dates = [mine.admitted, ...members.map((m) => m.s.admitted)].sort();
    const named = nearest(members, c.startedAt, p.maxNamed);
    const list = named.map((m) => `${m.w.claimNo} (${m.s.main})`).join(', ');
    const more = members.length - named.length;
    const what = {
      zh: `${dates[0]} 至 ${dates[dates.length - 1]} (±${p.windowDays} 天内) 本机构 ${count} 例短期住院 (不少于 ${p.minAdmissions} 例, 均不超过 ${p.maxDays} 天、无手术、主诊断属门诊可治疗疾病), 其他结算单 ${list}${more > 0 ? ` 等 (另有 ${more} 例)` : ''}`,
      en: `From ${dates[0]} to ${dates[dates.length - 1]} (within ±${p.windowDays} days) ${count} short stays here (at least ${p.minAdmissions}; each at most ${p.maxDays} days, no operation, a main diagnosis an outpatient clinic treats), other claims ${list}${more > 0 ? ` and ${more} more` : ''}`,
    };
    const total = c.lines.reduce((s, l) => s + l.amountFen, 0);
    const hits: RuleHit[] = [
      {
        message: {
          zh: `${what.zh}; 本次住院 ${mine.days} 天, 主诊断 ${diagnosisList([main])}, 全部 ${c.lines.length} 行 ${yuan(total)} 元转人工审核`,
          en: `${what.en}; this stay of ${mine.days} days, main diagnosis ${diagnosisList([main])}, all ${c.lines.length} lines, ${yuan(total)} yuan, for review`,
        },
        violatingLines: c.lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: named.map((m) => windowRef(c.institutionId, m.w, false)),
        amountFen: total,
      },
    ];
    if (count === p.minAdmissions) {
      for (const m of members)
        hits.push({
          message: { zh: `${what.zh}; 结算单 ${m.w.claimNo} 转人工审核 (追溯)`, en: `${what.en}; claim ${m.w.claimNo} for review (filed retrospectively)` },
          violatingLines: [],
          involvedLines: [],
          otherClaims: [windowRef(c.institutionId, m.w, true)],
          amountFen: 0,
        });
    }
    return hits;
  },
  fixtures,
};

/** The `max` members admitted nearest to `at` (ties: the earlier), in order of admission. */
function nearest<M extends { w: WindowClaim }>(members: readonly M[], at: number, max: number): readonly M[] {
  if (members.length <= max) return members;
  const byDistance = [...members].sort((a, b) => Math.abs(a.w.startedAt - at) - Math.abs(b.w.startedAt - at) || a.w.startedAt - b.w.startedAt);
  return byDistance.slice(0, max).sort((a, b) => a.w.startedAt - b.w.startedAt);
}

function fixtures(): RuleFixtures<AdmissionClusterParams> {
  const stay = (no: number, day: number, code: string, nights: number, person = `P${no}`): Claim =>
    claim({
      claimNo: `Z${no}`,
      personHash: person,
      admitted: `2026-10-${String(day).padStart(2, '0')} 10:00`,
      discharged: `2026-10-${String(day + nights).padStart(2, '0')} 09:00`,
      diagnoses: [{ code, main: true }],
      lines: [
        { itemCode: 'BED', at: `2026-10-${String(day).padStart(2, '0')} 10:00`, category: 'bed' },
        { itemCode: 'LAB', at: `2026-10-${String(day).padStart(2, '0')} 11:00`, category: 'lab', amountFen: 3000 },
      ],
    });
  const window = (claims: Claim[]) => ({ institution: { ...emptyWindow, admissions: claims.map(asWindowClaim) } });
  const four = [stay(1, 3, 'J06.900', 2), stay(2, 4, 'K52.900', 1), stay(3, 5, 'J20.900', 3), stay(4, 6, 'M54.500', 2)];
  return {
    fires: [
      {
        name: 'the fifth short stay for outpatient-treatable diagnoses in five days: this stay, and the four before it retrospectively',
        claim: stay(5, 7, 'J06.900', 2),
        history: window(four),
        expect: { hits: 5, violatingLines: ['L1', 'L2'], amountFen: 4000 },
      },
      { name: 'the sixth: this stay only', claim: stay(6, 8, 'K29.700', 1), history: window([...four, stay(5, 7, 'J06.900', 2)]), expect: { hits: 1 } },
    ],
    passes: [
      {
        name: 'an epidemic: ten influenza admissions in a week at a proper length of stay',
        claim: stay(10, 10, 'J11.100', 5),
        history: window([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => stay(n, 3 + (n % 7), n % 2 ? 'J11.100' : 'J18.900', 5))),
      },
      { name: 'four short stays: below five', claim: stay(5, 7, 'J06.900', 2), history: window(four.slice(1)) },
      { name: 'this stay is four days long', claim: stay(5, 7, 'J06.900', 4), history: window(four) },
      { name: 'the others spread beyond the week', claim: stay(5, 20, 'J06.900', 2), history: window(four) },
      { name: 'this stay is for pneumonia (not outpatient-treatable)', claim: stay(5, 7, 'J18.900', 2), history: window(four) },
    ],
  };
}
