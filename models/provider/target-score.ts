import type { FeatureName } from './features.js';
import { FEATURE_SPEC } from './features.js';
import { shiftMonth } from './targeting.js';

/**
 * The targeting score: what audit time is ranked by. For each institution of the scored month:
 *
 *     targeting score (yuan) = P(fraud from the evidence window) × money billed over the money window
 *
 * Two windows, both ending with the scored month: the evidence window (the rows given; default 6
 * months in training) pools the institution's history, because the evidence of a steady excess
 * grows with the claims pooled; the money window (`moneyWindow`, default 3 in training) is the
 * recent billing the fund stands to lose.
 *
 * - evidence: the window's claims with a rule hit (rules in trial included, when the rows carry
 *   them) against what the other institutions of the peer group, pooled, hit on as many claims,
 *   as a Poisson z ((hits − expected) / √expected: signed, so an
 *   institution the rules rarely flag counts against; a small institution's few hits weigh
 *   little, a large one's steady excess a lot), plus the mean over the billing-pattern features
 *   that are money (cost per visit, prices at the ceiling, length of stay, readmissions, lines per
 *   visit, inpatients per bed, cost growth) of their z above the peer median, averaged over the
 *   window's months. Pooling the window's months is what lifts it above any one month's feature.
 * - P(fraud), unsupervised: 1 / (1 + e^(−steepness × (evidence − centre))): about 0 below a robust
 *   z of 2, 1/2 at `centre` (3, the usual "far from the peers"), about 1 above 4. When a
 *   supervised model learned from review outcomes wins on held-out folds (outcomes.ts), its
 *   probability replaces this one and `source` says so.
 * - money at stake: what the institution billed over the money window, in yuan (the fund's exposure
 *   before its share: the share depends on the patients' schemes, not on the institution). A large institution that is a little unusual and a small one that is very
 *   unusual are compared by what the fund stands to lose.
 */
export interface TargetingScoreOptions {
  /** evidence at which P(fraud) is 1/2 (default 3) */
  centre?: number;
  /** slope of P(fraud) per unit of evidence (default 3) */
  steepness?: number;
  /** the billing-pattern features whose excess over the peers adds to the evidence */
  patternFeatures?: readonly FeatureName[];
  /**
   * The rate a row's peers hit at (peerHitRates: the other institutions of its peer group in its
   * month, pooled). Without it, or where it is undefined, the peer group's median rule-hit rate.
   */
  peerRate?: ((row: TargetingRow) => number | undefined) | undefined;
  /**
   * The money window: months, ending with the scored month, whose billing is the money at stake
   * (default: every row given). The evidence pools every row given (the evidence window).
   */
  moneyWindow?: number | undefined;
  /** the evidence window the rows given span, months, for the explanation (default: the months among the rows) */
  evidenceWindow?: number | undefined;
}

export const PATTERN_FEATURES: readonly FeatureName[] = ['costPerVisit', 'ceilingPriceShare', 'meanStay', 'readmission15Rate', 'linesPerVisit', 'patientsPerBed', 'costGrowthMoM'];

export interface Targeting {
  /** what targeting ranks by: P(fraud) × money at stake, yuan */
  score: number;
  probability: number;
  /** which probability: the unsupervised evidence, or the supervised model learned from review outcomes */
  source: 'unsupervised' | 'supervised';
  evidence: number;
  /** the window's claims with a rule hit against what the peer group's other institutions' pooled rate expects of as many claims, as a Poisson z */
  rulesZ: number;
  ruleHits: number;
  ruleHitsExpected: number;
  /** mean of the pattern features' window-mean z above the peer median */
  patternZ: number;
  /** the pattern features furthest above the peers (window-mean z), most first */
  patternTop: { feature: FeatureName; z: number }[];
  /** money billed over the money window's months, yuan */
  atStake: number;
  /** months of the money window the institution billed in */
  months: number;
  /** the money window, months (the scored month and those before it) */
  moneyWindow: number;
  /** the evidence window, months */
  evidenceWindow: number;
  /** months of the evidence window the institution billed in (what the evidence pooled) */
  evidenceMonths: number;
  /** in the peer group of the scored month: 1 = highest targeting score */
  rank: number;
  /** share of the peer group at most this targeting score, percent */
  percentile: number;
  peerGroup: string;
  peerSize: number;
  zh: string;
  en: string;
}

/** One institution-month as the targeting score reads it. */
export interface TargetingRow {
  institutionId: string;
  month: string;
  peerGroup: string;
  comparable: Record<FeatureName, number>;
  features: Record<FeatureName, number | null>;
  peerMedians: Record<FeatureName, number | null>;
  exposure?: { cost: number; fund: number; withheld: number } | undefined;
  /** claims with a rule hit per rule family, when the rows carry them */
  ruleFamilies?: Record<string, number> | undefined;
  /** claims with a finding of an active rule, and of an active rule or one in trial */
  ruleHits?: { claims: number; withTrial: number } | undefined;
  /** the institution's own type and level, where `peerGroup` is a wider group it fell back to */
  nominalPeerGroup?: string;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const pos = (x: number) => Math.max(0, x);
export const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** The unsupervised P(fraud)'s defaults: 1 / (1 + e^(−steepness × (evidence − centre))). */
export const UNSUPERVISED_CENTRE = 3;
export const UNSUPERVISED_STEEPNESS = 3;

/** Lowest peer rule-hit rate an expected count is taken at (a group where most claims are clean still expects some). */
const MIN_EXPECTED_RATE = 0.005;

/**
 * An institution-month's claims with a rule hit: with a finding of an active rule or of one in
 * trial when the row carries them (a rule in trial does not change payment, but its findings say
 * where to look), else the active rules' hit rate × claims.
 */
export const hitsOf = (r: TargetingRow) => r.ruleHits?.withTrial ?? (r.features.claims ?? 0) * (r.features.ruleHitRate ?? 0);

/**
 * The rule-hit rate of each row's peers: the other institutions of its peer group in its month,
 * their hits over their claims pooled (so a peer's rate weighs by its claims, and the institution
 * is not its own baseline). A row that fell back to a wider group is compared with all of it.
 * Undefined where the row has no peer with claims.
 */
export function peerHitRates(rows: readonly TargetingRow[]): (row: TargetingRow) => number | undefined {
  const totals = new Map<string, { claims: number; hits: number }>();
  for (const r of rows) {
    const own = r.nominalPeerGroup ?? r.peerGroup;
    for (const g of new Set([own, `${own.split('/')[0]}/*`, '*'])) {
      const t = totals.get(`${g}|${r.month}`) ?? { claims: 0, hits: 0 };
      t.claims += r.features.claims ?? 0;
      t.hits += hitsOf(r);
      totals.set(`${g}|${r.month}`, t);
    }
  }
  return (r) => {
    const t = totals.get(`${r.peerGroup}|${r.month}`);
    const claims = (t?.claims ?? 0) - (r.features.claims ?? 0);
    return t && claims > 0 ? Math.max(0, t.hits - hitsOf(r)) / claims : undefined;
  };
}

/** The evidence of one institution from its rows over the window. */
export function targetingEvidence(rows: readonly TargetingRow[], options: TargetingScoreOptions = {}) {
  const pattern = options.patternFeatures ?? PATTERN_FEATURES;
  // Rule hits against what the peers' rate expects of as many claims, as a Poisson z: a small
  // institution's few hits weigh little, a large one's steady excess a lot.
  let hits = 0;
  let expected = 0;
  for (const r of rows) {
    const n = r.features.claims ?? 0;
    hits += hitsOf(r);
    expected += n * Math.max(MIN_EXPECTED_RATE, options.peerRate?.(r) ?? r.peerMedians.ruleHitRate ?? 0);
  }
  const rulesZ = expected > 0 ? (hits - expected) / Math.sqrt(expected) : 0;
  const patternMeans = pattern.map((f) => ({ feature: f, z: mean(rows.map((r) => pos(r.comparable[f]))) }));
  const patternZ = mean(patternMeans.map((p) => p.z));
  const atStake = rows.reduce((s, r) => s + pos(r.exposure?.cost ?? 0), 0);
  return {
    rulesZ,
    ruleHits: hits,
    ruleHitsExpected: expected,
    patternZ,
    evidence: rulesZ + patternZ,
    atStake,
    months: rows.length,
    patternTop: patternMeans
      .filter((p) => p.z > 0)
      .sort((a, b) => b.z - a.z || (a.feature < b.feature ? -1 : 1))
      .slice(0, 3),
  };
}

/**
 * The targeting score of every institution billing in `month`, ranked within the peer group it
 * has in `month`. `probabilityOf` replaces the unsupervised P(fraud) (a supervised model's).
 */
export function targetingScores(
  windowRows: readonly TargetingRow[],
  month: string,
  options: TargetingScoreOptions & { probabilityOf?: (institutionId: string) => number | undefined } = {},
): Map<string, Targeting> {
  const centre = options.centre ?? UNSUPERVISED_CENTRE;
  const steepness = options.steepness ?? UNSUPERVISED_STEEPNESS;
  const byInstitution = new Map<string, TargetingRow[]>();
  for (const r of windowRows) {
    const list = byInstitution.get(r.institutionId);
    if (list) list.push(r);
    else byInstitution.set(r.institutionId, [r]);
  }
  const current = windowRows.filter((r) => r.month === month);
  const peerRate = options.peerRate ?? peerHitRates(windowRows);
  const spanned = new Set(windowRows.map((r) => r.month)).size;
  const moneyWindow = options.moneyWindow ?? spanned;
  const evidenceWindow = options.evidenceWindow ?? spanned;
  const firstMoneyMonth = options.moneyWindow === undefined ? '' : shiftMonth(month, 1 - options.moneyWindow);
  const partial = current.map((r) => {
    const history = byInstitution.get(r.institutionId)!;
    const evidence = targetingEvidence(history, { ...options, peerRate });
    // Money at stake over the money window only; the evidence above pools the whole history given.
    const money = history.filter((h) => h.month >= firstMoneyMonth && h.month <= month);
    const e = { ...evidence, atStake: money.reduce((s, h) => s + pos(h.exposure?.cost ?? 0), 0), months: money.length, moneyWindow, evidenceWindow, evidenceMonths: evidence.months };
    const supervised = options.probabilityOf?.(r.institutionId);
    const probability = supervised ?? logistic(steepness * (e.evidence - centre));
    return { row: r, ...e, probability, source: (supervised === undefined ? 'unsupervised' : 'supervised') as Targeting['source'], score: probability * e.atStake };
  });
  const groups = new Map<string, number[]>();
  for (const p of partial) groups.set(p.row.peerGroup, [...(groups.get(p.row.peerGroup) ?? []), p.score]);
  const out = new Map<string, Targeting>();
  for (const p of partial) {
    const peers = groups.get(p.row.peerGroup)!;
    const t = {
      score: p.score,
      probability: p.probability,
      source: p.source,
      evidence: p.evidence,
      rulesZ: p.rulesZ,
      ruleHits: p.ruleHits,
      ruleHitsExpected: p.ruleHitsExpected,
      patternZ: p.patternZ,
      patternTop: p.patternTop,
      atStake: p.atStake,
      months: p.months,
      moneyWindow: p.moneyWindow,
      evidenceWindow: p.evidenceWindow,
      evidenceMonths: p.evidenceMonths,
      rank: 1 + peers.filter((s) => s > p.score).length,
      percentile: (100 * peers.filter((s) => s <= p.score).length) / peers.length,
      peerGroup: p.row.peerGroup,
      peerSize: peers.length,
    };
    out.set(p.row.institutionId, { ...t, ...targetingSentences(t, p.row) });
  }
  return out;
}

const yuan = (x: number) => Math.round(x).toLocaleString('en-US');
const sign = (z: number) => `${z >= 0 ? '+' : ''}${z.toFixed(1)}`;

/** "目标分 81,234 元 = 欺诈概率 0.93 × 近 3 个月申报费用 87,350 元; 同级同类 (hospital/secondary, 9 家) 第 1 位; 证据取近 6 个月: 规则命中 (含试行规则) 60 人次, 按同级机构的命中率应为 25 人次 (z +7.0; …), 费用特征高出同级 z +1.3 (次均费用 z +2.1, …)" */
export function targetingSentences(t: Omit<Targeting, 'zh' | 'en'>, row: TargetingRow): { zh: string; en: string } {
  const rate = row.features.ruleHitRate;
  const med = row.peerMedians.ruleHitRate;
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const pZh = t.source === 'supervised' ? '欺诈概率 (由复审结论训练的模型)' : '欺诈概率';
  const pEn = t.source === 'supervised' ? 'P(fraud) (model learned from review outcomes)' : 'P(fraud)';
  const trialZh = row.ruleHits ? ' (含试行规则)' : '';
  const trialEn = row.ruleHits ? ' (rules in trial included)' : '';
  const topZh = t.patternTop.map((p) => `${FEATURE_SPEC.get(p.feature)!.zh} z ${sign(p.z)}`).join(', ');
  const topEn = t.patternTop.map((p) => `${FEATURE_SPEC.get(p.feature)!.en} z ${sign(p.z)}`).join(', ');
  // Say how many months the institution actually billed in when it is fewer than the window.
  const monthsZh = t.months < t.moneyWindow ? ` (有申报 ${t.months} 个月)` : '';
  const monthsEn = t.months < t.moneyWindow ? ` (billed in ${t.months})` : '';
  const evidenceZh = t.evidenceMonths < t.evidenceWindow ? ` (有申报 ${t.evidenceMonths} 个月)` : '';
  const evidenceEn = t.evidenceMonths < t.evidenceWindow ? ` (billed in ${t.evidenceMonths})` : '';
  return {
    zh: `目标分 ${yuan(t.score)} 元 = ${pZh} ${t.probability.toFixed(2)} × 近 ${t.moneyWindow} 个月申报费用 ${yuan(t.atStake)} 元${monthsZh}; 同级同类 (${t.peerGroup}, ${t.peerSize} 家) 第 ${t.rank} 位; 证据取近 ${t.evidenceWindow} 个月${evidenceZh}: 规则命中${trialZh} ${Math.round(t.ruleHits)} 人次, 按同级机构的命中率应为 ${Math.round(t.ruleHitsExpected)} 人次 (z ${sign(t.rulesZ)}; ${row.month} 命中率 ${pct(rate)}, 同级中位数 ${pct(med)}), 费用特征高出同级 z ${sign(t.patternZ)}${topZh ? ` (${topZh})` : ''}`,
    en: `targeting score ${yuan(t.score)} yuan = ${pEn} ${t.probability.toFixed(2)} × ${yuan(t.atStake)} yuan billed over the last ${t.moneyWindow} month(s)${monthsEn}; rank ${t.rank} of ${t.peerSize} in its peer group (${t.peerGroup}); evidence from the last ${t.evidenceWindow} month(s)${evidenceEn}: ${Math.round(t.ruleHits)} claims with rule hits${trialEn} where the peers' rate expects ${Math.round(t.ruleHitsExpected)} (z ${sign(t.rulesZ)}; ${pct(rate)} in ${row.month}, peer median ${pct(med)}), billing pattern above the peers by z ${sign(t.patternZ)}${topEn ? ` (${topEn})` : ''}`,
  };
}
