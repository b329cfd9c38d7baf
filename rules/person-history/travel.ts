import { z } from 'zod';
import type { Claim } from '../claim.js';
import { categoryRanges, inRanges } from '../diagnosis/icd.js';
import type { Rule, RuleHit, RuleFixtures } from '../engine.js';
import { claim, hospital, reference } from '../fixtures/build.js';
import { icdCategory, list, range } from '../params.js';
import { ref as claimRef } from '../quantity/over-limit.js';
import type { ReferenceView } from '../reference.js';
import { cstTime, yuan } from '../text.js';
import { cstDate } from '../dates.js';

export interface TravelParams {
  /** hours between two counties (6-digit area codes) of one prefecture (the first 4 digits) */
  samePrefectureHours: number;
  /** hours between two prefectures of one province (the first 2 digits) */
  sameProvinceHours: number;
  /** hours between two provinces */
  otherProvinceHours: number;
  /** a fund's own travel times between two areas (either way round), over the defaults above */
  travelHours: { from: string; to: string; hours: number }[];
  /** diagnoses of a newborn treated on its mother's card (新生儿随母就医): two persons, one card */
  newbornDiagnoses: string[];
}

const area = () => z.string().regex(/^\d{6}$/, 'must be a 6-digit administrative area code');
const HOURS = { min: 0, max: 72 };

/** The hours the parameters allow between two areas: 0 within one area. */
export function travelHoursBetween(a: string, b: string, p: TravelParams): number {
  if (a === b) return 0;
  for (const t of p.travelHours) if ((t.from === a && t.to === b) || (t.from === b && t.to === a)) return t.hours;
  if (a.slice(0, 4) === b.slice(0, 4)) return p.samePrefectureHours;
  if (a.slice(0, 2) === b.slice(0, 2)) return p.sameProvinceHours;
  return p.otherProvinceHours;
}

interface Conflict {
  first: Claim;
  later: Claim;
  areas: [string, string];
  hours: number;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** visit time, then institution and claim number: the same order whichever claim arrived first */
const before = (a: Claim, b: Claim) => a.startedAt - b.startedAt || cmp(a.institutionId, b.institutionId) || cmp(a.claimNo, b.claimNo);
const isVisit = (c: Claim) => c.visitType !== 'inpatient';
const dateOf = (c: Claim) => c.lines[0]?.serviceDate ?? cstDate(c.startedAt);

function conflict(a: Claim, b: Claim, ref: ReferenceView, p: TravelParams, newborn: (c: Claim) => boolean): Conflict | undefined {
  if (a.institutionId === b.institutionId || !isVisit(a) || !isVisit(b)) return undefined;
  const [first, later] = before(a, b) < 0 ? [a, b] : [b, a];
  const gap = later.startedAt - first.startedAt;
  if (gap >= 72 * 3_600_000) return undefined;
  const ia = ref.institution(first.institutionId, dateOf(first));
  const ib = ref.institution(later.institutionId, dateOf(later));
  if (!ia || !ib) return undefined;
  const hours = travelHoursBetween(ia.area, ib.area, p);
  if (hours <= 0 || gap >= hours * 3_600_000) return undefined;
  if (newborn(a) || newborn(b)) return undefined;
  return { first, later, areas: [ia.area, ib.area], hours };
}

/**
 * One person's visits (outpatient or pharmacy) at two institutions in different areas closer in
 * time than the journey between the areas takes: one of them was someone else on the card
 * (冒名就医). Travel time comes from the areas' administrative codes (the fund's own
 * `travelHours` between two areas first; else 1 hour between counties of one prefecture, 2 between
 * prefectures of one province, 4 between provinces; 0 within one area). The later visit of the
 * two is at fault, whichever claim arrives first; a visit for a newborn on its mother's card
 * (`newbornDiagnoses` on either claim) is two persons and passes. Stays are other rules'
 * (BED-ABSENT, STAY-OVERLAP). For review (high), the later visit's lines at issue.
 */
export const travelImpossible: Rule<TravelParams> = {
  id: 'TRAVEL-IMPOSSIBLE',
  version: 1,
  family: 'impersonation',
  severity: 'high',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '同一参保人在不同地区的两家机构就诊 (门诊或购药), 两次时间间隔短于两地路程所需: 疑似冒名就医, 转人工审核; 新生儿随母就医除外',
    en: 'One person’s visits at two institutions in different areas closer in time than the journey between them takes: possibly impersonation, for review; a newborn on its mother’s card excepted',
  },
  effectiveFrom: '2000-01-01',
  defaults: { samePrefectureHours: 1, sameProvinceHours: 2, otherProvinceHours: 4, travelHours: [], newbornDiagnoses: ['P00-P96', 'Z38'] },
  paramSchema: z
    .object({
      samePrefectureHours: range(HOURS),
      sameProvinceHours: range(HOURS),
      otherProvinceHours: range(HOURS),
      travelHours: list(z.object({ from: area(), to: area(), hours: range(HOURS) }).strict(), 2000),
      newbornDiagnoses: list(icdCategory(), 200),
    })
    .strict(),
  evaluate({ claim: c, history, reference: ref, params: p }) {
    if (!isVisit(c) || history.personClaims.length === 0) return [];
    // one pass without allocating for the common case: no other visit elsewhere within 72 hours
    let others: Claim[] | undefined;
    for (const o of history.personClaims) if (isVisit(o) && o.institutionId !== c.institutionId && Math.abs(o.startedAt - c.startedAt) < 72 * 3_600_000) (others ??= []).push(o);
    if (!others) return [];
    const ranges = categoryRanges(p.newbornDiagnoses);
    const newborn = (x: Claim) => x.diagnoses.some((d) => inRanges(d.code, ranges));
    const hits: RuleHit[] = [];
    const mine: Conflict[] = [];
    for (const o of others) {
      const k = conflict(c, o, ref, p, newborn);
      if (!k) continue;
      if (k.later === c) mine.push(k);
      // an earlier-stored visit that is the later of the two: reported on it, unless a third visit
      // before it conflicts too (that pair judged it)
      else if (!others.some((x) => x !== o && before(x, o) < 0 && conflict(x, o, ref, p, newborn))) hits.push(hitOn(c, o, [k]));
    }
    if (mine.length > 0) hits.unshift(hitOn(c, c, mine));
    return hits;
  },
  fixtures,
};

function hitOn(c: Claim, target: Claim, ks: readonly Conflict[]): RuleHit {
  const amountFen = target.lines.reduce((s, l) => s + l.amountFen, 0);
  const gap = (k: Conflict) => Math.round((k.later.startedAt - k.first.startedAt) / 60_000);
  const zh = ks.map(
    (k) =>
      `${cstTime(k.first.startedAt)} 在 ${k.first.institutionId} (地区 ${k.areas[0]}), ${cstTime(k.later.startedAt)} 在 ${k.later.institutionId} (地区 ${k.areas[1]}), 相隔 ${gap(k)} 分钟, 两地路程至少 ${k.hours} 小时`,
  );
  const en = ks.map(
    (k) =>
      `at ${k.first.institutionId} (area ${k.areas[0]}) on ${cstTime(k.first.startedAt)} and at ${k.later.institutionId} (area ${k.areas[1]}) on ${cstTime(k.later.startedAt)}, ${gap(k)} minutes apart where the journey takes at least ${k.hours} h`,
  );
  const message = {
    zh: `异地就诊时间间隔不足: ${zh.join('; ')}; 结算单 ${target.claimNo} ${target.lines.length} 行 ${yuan(amountFen)} 元转人工审核`,
    en: `Visits closer in time than travel allows: ${en.join('; ')}; claim ${target.claimNo}, ${target.lines.length} ${target.lines.length === 1 ? 'line' : 'lines'}, ${yuan(amountFen)} yuan, for review`,
  };
  const all = target.lines.map((l) => l.lineId);
  if (target === c) return { message, violatingLines: all, involvedLines: [], otherClaims: ks.map((k) => claimRef(k.first)), amountFen };
  return { message, violatingLines: [], involvedLines: [], otherClaims: [claimRef(target, all)], amountFen };
}

function fixtures(): RuleFixtures<TravelParams> {
  const ref = reference({
    institutions: [
      hospital({ institutionId: 'H1', area: '320102' }),
      hospital({ institutionId: 'H2', area: '320115' }),
      hospital({ institutionId: 'H3', area: '320102' }),
      hospital({ institutionId: 'H4', area: '310101' }),
      hospital({ institutionId: 'P5', type: 'pharmacy', level: 'none', area: '321002' }),
    ],
  });
  const visit = (institutionId: string, claimNo: string, at: string, diagnoses: string[] = []) =>
    claim({ institutionId, claimNo, visit: at, diagnoses: diagnoses.map((code, i) => ({ code, main: i === 0 })), lines: [{ itemCode: 'V', at, amountFen: 2000 }] });
  const morning = visit('H1', 'A1', '2026-10-04 09:00');
  return {
    fires: [
      {
        name: 'another county of the prefecture 40 minutes later',
        claim: visit('H2', 'B1', '2026-10-04 09:40'),
        history: { personClaims: [morning] },
        reference: ref,
        expect: { hits: 1, violatingLines: ['L1'], amountFen: 2000, otherClaims: ['A1'] },
      },
      { name: 'Shanghai three hours after Nanjing (4 h between provinces)', claim: visit('H4', 'B2', '2026-10-04 12:00'), history: { personClaims: [morning] }, reference: ref },
      { name: 'a pharmacy in another prefecture 90 minutes later', claim: visit('P5', 'B3', '2026-10-04 10:30'), history: { personClaims: [morning] }, reference: ref },
      {
        name: 'arriving late with the earlier visit: the stored later visit is at fault (retrospective)',
        claim: morning,
        history: { personClaims: [visit('H2', 'B1', '2026-10-04 09:30')] },
        reference: ref,
        expect: { hits: 1, violatingLines: [], otherClaims: ['B1'] },
      },
    ],
    passes: [
      { name: 'two institutions of one area the same hour', claim: visit('H3', 'B1', '2026-10-04 09:20'), history: { personClaims: [morning] }, reference: ref },
      { name: 'another county of the prefecture 61 minutes later', claim: visit('H2', 'B1', '2026-10-04 10:01'), history: { personClaims: [morning] }, reference: ref },
      {
        name: 'a newborn’s jaundice visit on its mother’s card (P59)',
        claim: visit('H2', 'B1', '2026-10-04 09:30', ['P59.900']),
        history: { personClaims: [morning] },
        reference: ref,
      },
      {
        name: 'a fund’s own travel time between two areas (15 minutes)',
        claim: visit('H2', 'B1', '2026-10-04 09:30'),
        history: { personClaims: [morning] },
        reference: ref,
        params: { travelHours: [{ from: '320115', to: '320102', hours: 0.25 }] },
      },
      { name: 'an institution the reference does not hold', claim: visit('H9', 'B1', '2026-10-04 09:10'), history: { personClaims: [morning] }, reference: ref },
    ],
  };
}
