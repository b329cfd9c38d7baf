import { median } from 'simple-statistics';
import type { FeatureName, InstitutionMonth } from './features.js';
import type { PeerStats } from './peer.js';

/**
 * Targeting: where audit time buys back the most fund money. Each institution-month's expected
 * loss in yuan is
 *
 *     expected loss = P(abnormal) × excess × fund share
 *
 * - excess: the yuan billed beyond the peer group's normal range, feature by feature, on the
 *   features that are money: cost per visit above median + k·scale, times the claims; days of stay
 *   above it, times admissions and cost per day; readmissions above it, times the cost of a stay;
 *   inpatients per bed above it, as extra stays; lines at the price ceiling above it, times the
 *   markup a ceiling price carries; rule-flagged amount as a share of cost above it; cost growth
 *   above it. Within the normal range an institution has no excess, whatever its size; beyond it
 *   a large institution's excess is larger in yuan, as its fund exposure is;
 * - P(abnormal): the mean of two witnesses: how unusual the institution is among its peers by
 *   the isolation forest (all features, money or not: 0 at the peer median score, 1 at a score
 *   `probabilitySpan` above it), and by its rule-hit rate (0 at the peer median, 1 at a robust z of
 *   `ruleHitSpan`);
 * - fund share: what the fund pays of the money billed (the claims' fund amounts / cost), less
 *   what rules already withheld.
 *
 * Summed over the rolling window (default 3 months, ending with the scored month) it is the
 * targeting figure; the explanation names the parts that drove it, with the numbers.
 */
export interface TargetingOptions {
  /** months summed, ending with the scored month (default 3) */
  windowMonths?: number;
  /** a value is normal up to median + k × scale of its peer group (default 1) */
  k?: number;
  /** the price a line at the ceiling carries above an ordinary price, as a share (default 0.05) */
  ceilingMarkup?: number;
  /** forest score above the peer median at which P(abnormal) reaches 1 (default 0.1) */
  probabilitySpan?: number;
  /** rule-hit rate z above the peer median at which its abnormality reaches 1 (default 3) */
  ruleHitSpan?: number;
}

export interface RiskDriver {
  feature: FeatureName;
  /** yuan billed beyond the peer group's normal range through this feature */
  excess: number;
  value: number;
  /** the top of the normal range: median + k × scale */
  normal: number;
}

export interface Risk {
  /** expected fund loss of the month, yuan */
  monthLoss: number;
  /** expected fund loss summed over the window's months the institution billed in, yuan */
  windowLoss: number;
  windowMonths: number;
  /** months of the window with claims of the institution */
  monthsWithClaims: number;
  /** P(abnormal) from the forest score against the peer median */
  probability: number;
  /** yuan billed beyond the peers' normal range in the month */
  excess: number;
  /** what the fund pays of each yuan billed, after withholdings */
  fundShare: number;
  fund: number;
  withheld: number;
  flagged: number;
  drivers: RiskDriver[];
  zh: string;
  en: string;
}

export interface RiskInput {
  row: InstitutionMonth;
  score: { score: number };
  /** forest scores of the row's peer group in its month */
  peerScores: readonly number[];
  stats: Map<FeatureName, PeerStats | undefined>;
}

const zOf = (input: RiskInput, f: FeatureName) => {
  const s = input.stats.get(f);
  const v = input.row.features[f];
  return s && s.scale > 0 && v !== null ? (v - s.median) / s.scale : 0;
};
const yuan = (v: number) => Math.round(v).toLocaleString('en');
const pos = (v: number) => (v > 0 ? v : 0);

/** The yuan billed beyond the normal range, per money feature, of one institution-month. */
export function excessDrivers(row: InstitutionMonth, stats: Map<FeatureName, PeerStats | undefined>, { k = 1, ceilingMarkup = 0.05 }: TargetingOptions = {}): RiskDriver[] {
  const f = row.features;
  const cost = row.exposure?.cost ?? (f.costPerVisit ?? 0) * (f.claims ?? 0);
  const normal = (name: FeatureName) => {
    const s = stats.get(name);
    return s ? s.median + k * s.scale : undefined;
  };
  const out: RiskDriver[] = [];
  const add = (feature: FeatureName, money: (value: number, top: number) => number) => {
    const value = f[feature];
    const top = normal(feature);
    if (value === null || top === undefined || !(value > top)) return;
    const excess = money(value, top);
    if (excess > 0 && Number.isFinite(excess)) out.push({ feature, excess, value, normal: top });
  };
  const admissions = f.admissions ?? 0;
  const perDay = f.costPerInpatientDay ?? 0;
  const stay = f.meanStay ?? 0;
  add('costPerVisit', (v, top) => (v - top) * (f.claims ?? 0));
  add('meanStay', (v, top) => (v - top) * admissions * perDay);
  add('readmission15Rate', (v, top) => (v - top) * admissions * perDay * stay);
  add('patientsPerBed', (v, top) => (1 - top / v) * admissions * perDay * stay);
  add('ceilingPriceShare', (v, top) => (v - top) * cost * ceilingMarkup);
  add('ruleHitAmountShare', (v, top) => (v - top) * cost);
  add('costGrowthMoM', (v, top) => (cost * (v - top)) / (1 + v));
  return out.sort((a, b) => b.excess - a.excess || (a.feature < b.feature ? -1 : 1));
}

/** Expected loss of every input row; the window figure for the rows of `month`. */
export function targetRisk(inputs: readonly RiskInput[], month: string, options: TargetingOptions = {}): (Risk | undefined)[] {
  const windowMonths = options.windowMonths ?? 3;
  const span = options.probabilitySpan ?? 0.1;
  const monthly = inputs.map((input) => {
    const e = input.row.exposure;
    if (!e) return undefined;
    const drivers = excessDrivers(input.row, input.stats, options);
    // Drivers overlap (a longer stay also raises cost per visit): the visit-cost excess and the
    // inpatient parts are alternatives, so the larger of the two counts, plus prices, rule hits and growth.
    const sum = (names: FeatureName[]) => drivers.filter((d) => names.includes(d.feature)).reduce((s, d) => s + d.excess, 0);
    const visit = sum(['costPerVisit']);
    const stays = sum(['meanStay', 'readmission15Rate', 'patientsPerBed']);
    const excess = Math.min(e.cost, Math.max(visit, stays) + sum(['ceilingPriceShare', 'ruleHitAmountShare', 'costGrowthMoM']));
    const m = median([...input.peerScores]);
    // Two witnesses of abnormality, averaged: the billing pattern (the forest, every feature) and
    // the rules (the share of claims they flagged, against the peers).
    const patternP = Math.min(1, pos(input.score.score - m) / span);
    const rulesP = Math.min(1, pos(zOf(input, 'ruleHitRate')) / (options.ruleHitSpan ?? 3));
    const probability = (patternP + rulesP) / 2;
    const fundShare = e.cost > 0 ? pos(e.fund - e.withheld) / e.cost : 0;
    return { probability, excess, fundShare, drivers, monthLoss: probability * excess * fundShare, e };
  });
  const firstMonth = shiftMonth(month, 1 - windowMonths);
  const windowSum = new Map<string, { loss: number; months: number }>();
  inputs.forEach((input, i) => {
    const m = monthly[i];
    if (!m || input.row.month < firstMonth || input.row.month > month) return;
    const w = windowSum.get(input.row.institutionId) ?? { loss: 0, months: 0 };
    w.loss += m.monthLoss;
    w.months += 1;
    windowSum.set(input.row.institutionId, w);
  });
  return inputs.map((input, i) => {
    const m = monthly[i];
    if (!m) return undefined;
    const w = input.row.month === month ? windowSum.get(input.row.institutionId)! : { loss: m.monthLoss, months: 1 };
    const base = {
      monthLoss: m.monthLoss,
      windowLoss: w.loss,
      windowMonths,
      monthsWithClaims: w.months,
      probability: m.probability,
      excess: m.excess,
      fundShare: m.fundShare,
      fund: m.e.fund,
      withheld: m.e.withheld,
      flagged: m.e.flagged,
      drivers: m.drivers,
    };
    return { ...base, ...riskSentences(base, input.row.month) };
  });
}

const LABEL: Partial<Record<FeatureName, { zh: string; en: string }>> = {
  costPerVisit: { zh: '次均费用', en: 'cost per visit' },
  meanStay: { zh: '住院日', en: 'length of stay' },
  readmission15Rate: { zh: '15 天内再住院', en: 'readmissions within 15 days' },
  patientsPerBed: { zh: '床均住院人数', en: 'inpatients per bed' },
  ceilingPriceShare: { zh: '按最高限价收费', en: 'prices at the ceiling' },
  ruleHitAmountShare: { zh: '规则命中金额', en: 'rule-flagged amount' },
  costGrowthMoM: { zh: '费用环比增长', en: 'cost growth month on month' },
};

/** "近 3 个月预计基金损失 12,345 元 (本月 4,567 元): 异常程度 0.62 × 超出同级正常范围的费用 9,876 元 × 基金支付比例 75%; 主要来自 住院日 6,543 元, …" */
export function riskSentences(r: Omit<Risk, 'zh' | 'en'>, month: string): { zh: string; en: string } {
  const top = r.drivers.slice(0, 3);
  const zhDrivers = top.length ? `; 主要来自${top.map((d) => `${LABEL[d.feature]!.zh}超出 ${yuan(d.excess)} 元`).join(', ')}` : '; 各项费用指标均在同级正常范围内';
  const enDrivers = top.length
    ? `; driven by ${top.map((d) => `${LABEL[d.feature]!.en} (${yuan(d.excess)} yuan beyond the peers' normal range)`).join(', ')}`
    : "; every money feature within the peers' normal range";
  return {
    zh: `近 ${r.windowMonths} 个月预计基金损失 ${yuan(r.windowLoss)} 元 (${month} ${yuan(r.monthLoss)} 元): 异常程度 ${r.probability.toFixed(2)} × 超出同级正常范围的费用 ${yuan(r.excess)} 元 × 基金支付比例 ${(r.fundShare * 100).toFixed(0)}% (基金支付 ${yuan(r.fund)} 元, 已拒付 ${yuan(r.withheld)} 元, 规则标记 ${yuan(r.flagged)} 元)${zhDrivers}`,
    en: `expected fund loss ${yuan(r.windowLoss)} yuan over ${r.windowMonths} months (${yuan(r.monthLoss)} yuan in ${month}): abnormality ${r.probability.toFixed(2)} × ${yuan(r.excess)} yuan billed beyond the peers' normal range × fund share ${(r.fundShare * 100).toFixed(0)}% (fund ${yuan(r.fund)} yuan, withheld ${yuan(r.withheld)} yuan, flagged by rules ${yuan(r.flagged)} yuan)${enDrivers}`,
  };
}

/** The month `n` months after `month` (yyyy-MM; n may be negative). */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}
