import { IsolationForest, type IsolationForestOptions } from '../isolation-forest/index.js';
import { explain, type Explanation } from './explain.js';
import { FEATURE_NAMES, type FeatureName, type FeatureValues, type InstitutionMonth } from './features.js';
import { peerStats, robustZ, type PeerStats } from './peer.js';
import { learnFromOutcomes, type OutcomeLabel, type OutcomeOptions, type OutcomeResult } from './outcomes.js';
import { targetingScores, type Targeting, type TargetingScoreOptions } from './target-score.js';
import { targetRisk, type Risk, type TargetingOptions } from './targeting.js';

/**
 * The provider model: each institution-month's features made comparable within its peer group
 * (same type and level, same month) as robust z-scores, an isolation forest trained on those
 * rows, and each institution of the scored month ranked within its peer group.
 */
export interface ProviderScore {
  institutionId: string;
  month: string;
  /** the group compared with: `type/level`, or after a fallback `type/*` or `*` */
  peerGroup: string;
  /** what the group is: its own type and level, its type (fewer than minPeers of its level), or all institutions */
  peerBasis: PeerBasis;
  /** the institution's own type and level */
  nominalPeerGroup: string;
  peerSize: number;
  /** isolation-forest score s(x) in (0, 1]; higher is more anomalous */
  score: number;
  /** share of the peer group (this institution included) scoring at most this score, in percent */
  percentile: number;
  /** 1 = highest score of the peer group */
  rank: number;
  features: FeatureValues;
  comparable: Record<FeatureName, number>;
  peerMedians: Record<FeatureName, number | null>;
  explanations: Explanation[];
  /** the expected loss in yuan from the excess over the peers' normal range, when the rows carry their exposure */
  risk?: Risk;
  /** what targeting ranks by (rows of the scored month): P(fraud) × fund money at stake over the window, rank and percentile in the peer group */
  targeting?: Targeting;
}

export type PeerBasis = 'type/level' | 'type' | 'all';

export interface ProviderModelOptions extends Pick<IsolationForestOptions, 'trees' | 'psi' | 'seed'> {
  /** the features the forest may see (default: all); those without spread are left out */
  features?: readonly FeatureName[];
  /**
   * 'upper' (default): the forest sees max(z, 0), so only values above the peer median can set an
   * institution apart. Every feature is one where more is the risk (longer stays, more
   * readmissions, dearer mix, prices at the ceiling, more admissions per bed, more rule hits,
   * faster growth); an institution that is cheaper or quieter than its peers is not a target.
   * 'both': the plain z, either side.
   */
  sides?: 'upper' | 'both';
  /** fewest institutions a peer group needs in a month; a smaller one falls back to type, then to all (default 5) */
  minPeers?: number;
  /** money window: months summed in the rolling expected loss and the money at stake, ending with the scored month (default 3) */
  windowMonths?: number;
  /**
   * evidence window: months of an institution's history its targeting evidence pools (rule-hit
   * Poisson z, billing-pattern z) and outcome learning reads, ending with the scored month (default
   * 6). Longer than the money window because the evidence grows with the months pooled while the
   * money at stake should stay recent.
   */
  evidenceMonths?: number;
  /** expected-loss parameters */
  targeting?: TargetingOptions;
  /** targeting-score parameters; `probabilityOf` a supervised model's P(fraud) per institution */
  targetingScore?: TargetingScoreOptions & { probabilityOf?: (institutionId: string) => number | undefined };
  /** concluded review outcomes: with enough of each class a supervised P(fraud) may replace the unsupervised one (outcomes.ts) */
  outcomes?: { labels: readonly OutcomeLabel[]; options?: OutcomeOptions };
}

/** Which features a peer group was compared on, and which were left out as constant within it. */
export interface FeatureUse {
  /** the forest's columns: features with any spread in some group */
  forest: FeatureName[];
  /** per peer group: the features constant (or missing) in every month of the window there */
  leftOut: Record<string, FeatureName[]>;
}

/** The peer group of each row: its type and level, or wider where that group has fewer than minPeers in the month. */
export function assignPeerGroups(rows: readonly InstitutionMonth[], minPeers = 5): Map<InstitutionMonth, { group: string; basis: PeerBasis }> {
  const count = (key: (r: InstitutionMonth) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(`${r.month}|${key(r)}`, (m.get(`${r.month}|${key(r)}`) ?? 0) + 1);
    return m;
  };
  const typeOf = (r: InstitutionMonth) => r.peerGroup.split('/')[0] ?? r.peerGroup;
  const byLevel = count((r) => r.peerGroup);
  const byType = count(typeOf);
  const out = new Map<InstitutionMonth, { group: string; basis: PeerBasis }>();
  for (const r of rows) {
    if ((byLevel.get(`${r.month}|${r.peerGroup}`) ?? 0) >= minPeers) out.set(r, { group: r.peerGroup, basis: 'type/level' });
    else if ((byType.get(`${r.month}|${typeOf(r)}`) ?? 0) >= minPeers) out.set(r, { group: `${typeOf(r)}/*`, basis: 'type' });
    else out.set(r, { group: '*', basis: 'all' });
  }
  return out;
}

const groupKey = (group: string, month: string) => `${group}|${month}`;

/** The groups a row belongs to as a peer: its type and level, its type (`type/*`) and all (`*`). */
export function memberships(peerGroup: string): string[] {
  return [peerGroup, `${peerGroup.split('/')[0]}/*`, '*'];
}

/**
 * Median and robust scale of every feature in every (peer group, month). Each row counts in its
 * type and level, in its type and in all, so a group one falls back to holds every institution of it.
 */
export function peerTable(rows: readonly InstitutionMonth[]): Map<string, Map<FeatureName, PeerStats | undefined>> {
  const groups = new Map<string, InstitutionMonth[]>();
  for (const r of rows) {
    for (const g of memberships(r.peerGroup)) {
      const key = groupKey(g, r.month);
      const list = groups.get(key);
      if (list) list.push(r);
      else groups.set(key, [r]);
    }
  }
  const table = new Map<string, Map<FeatureName, PeerStats | undefined>>();
  for (const [key, members] of groups) {
    table.set(key, new Map(FEATURE_NAMES.map((f) => [f, peerStats(members.map((m) => m.features[f]))])));
  }
  return table;
}

/** Months of billing counted as money at stake (the money window). */
export const DEFAULT_WINDOW_MONTHS = 3;
/** Months of history the targeting evidence pools (the evidence window). */
export const DEFAULT_EVIDENCE_MONTHS = 6;

/**
 * Trains on every row given (the caller passes the longer of the evidence and money windows ending
 * with `month`) and scores every row of it; `scores` are those of `month`. Pure and deterministic: same rows, options and
 * seed give the same forest and scores, whatever the rows' order.
 */
export function trainProviderModel(rows: readonly InstitutionMonth[], month: string, options: ProviderModelOptions = {}) {
  const candidates = options.features ?? FEATURE_NAMES;
  const sides = options.sides ?? 'upper';
  const minPeers = options.minPeers ?? 5;
  const windowMonths = options.windowMonths ?? DEFAULT_WINDOW_MONTHS;
  const evidenceMonths = options.evidenceMonths ?? DEFAULT_EVIDENCE_MONTHS;
  // A fixed order, so the forest does not depend on the order the database returned the rows in.
  const training = [...rows].sort((a, b) => (a.month === b.month ? cmp(a.institutionId, b.institutionId) : cmp(a.month, b.month)));
  if (training.length < 2) throw new RangeError(`need at least 2 institution-months to train, got ${training.length}`);
  const groups = assignPeerGroups(training, minPeers);
  const table = peerTable(training);
  const statsOf = (r: InstitutionMonth) => table.get(groupKey(groups.get(r)!.group, r.month))!;

  // Features without spread in a group (every month of the window) are left out for that group:
  // their z is 0 there and they explain nothing. A feature without spread anywhere is not a column.
  const spread = new Map<string, Set<FeatureName>>();
  for (const r of training) {
    const g = groups.get(r)!.group;
    const set = spread.get(g) ?? new Set<FeatureName>();
    const stats = statsOf(r);
    for (const f of candidates) if ((stats.get(f)?.scale ?? 0) > 0) set.add(f);
    spread.set(g, set);
  }
  const forestFeatures = candidates.filter((f) => [...spread.values()].some((set) => set.has(f)));
  const leftOut: Record<string, FeatureName[]> = {};
  for (const g of [...spread.keys()].sort()) leftOut[g] = candidates.filter((f) => !spread.get(g)!.has(f));
  const featureUse: FeatureUse = { forest: forestFeatures, leftOut };
  const features = forestFeatures.length > 0 ? forestFeatures : candidates.slice(0, 1);

  const zOf = (r: InstitutionMonth, f: FeatureName) => robustZ(r.features[f], statsOf(r).get(f));
  const matrix = (list: readonly InstitutionMonth[]) => {
    const out = new Float64Array(list.length * features.length);
    list.forEach((r, i) =>
      features.forEach((f, j) => {
        const z = zOf(r, f);
        out[i * features.length + j] = sides === 'upper' ? Math.max(0, z) : z;
      }),
    );
    return out;
  };
  const forest = IsolationForest.fit({ data: matrix(training), cols: features.length }, { trees: options.trees, psi: options.psi, seed: options.seed, featureNames: features });
  if (!training.some((r) => r.month === month)) throw new RangeError(`no institution has claims in ${month}`);
  const scores = forest.score(matrix(training));

  const byGroup = new Map<string, number[]>();
  training.forEach((r, i) => {
    for (const g of memberships(r.peerGroup)) {
      const key = groupKey(g, r.month);
      const list = byGroup.get(key) ?? [];
      list.push(scores[i]!);
      byGroup.set(key, list);
    }
  });

  const all: ProviderScore[] = training.map((r, i) => {
    const s = scores[i]!;
    const { group, basis } = groups.get(r)!;
    const peers = byGroup.get(groupKey(group, r.month))!;
    const stats = statsOf(r);
    const comparable = {} as Record<FeatureName, number>;
    const peerMedians = {} as Record<FeatureName, number | null>;
    for (const f of FEATURE_NAMES) {
      comparable[f] = robustZ(r.features[f], stats.get(f));
      peerMedians[f] = stats.get(f)?.median ?? null;
    }
    const used = features.filter((f) => !leftOut[group]!.includes(f));
    return {
      institutionId: r.institutionId,
      month: r.month,
      peerGroup: group,
      peerBasis: basis,
      nominalPeerGroup: r.peerGroup,
      peerSize: peers.length,
      score: s,
      percentile: (100 * peers.filter((p) => p <= s).length) / peers.length,
      rank: 1 + peers.filter((p) => p > s).length,
      features: r.features,
      comparable,
      peerMedians,
      explanations: explain(
        used.map((f) => ({ feature: f, value: r.features[f], peerMedian: peerMedians[f] ?? undefined, z: comparable[f] })),
        { upperOnly: sides === 'upper' },
      ),
    };
  });

  // Money at stake: each institution-month's expected loss, then summed over the rolling window.
  const risks = targetRisk(
    training.map((r, i) => ({ row: r, score: all[i]!, peerScores: byGroup.get(groupKey(groups.get(r)!.group, r.month))!, stats: statsOf(r) })),
    month,
    { ...options.targeting, windowMonths },
  );
  all.forEach((s, i) => {
    const risk = risks[i];
    if (risk) s.risk = risk;
  });

  const firstMonth = shiftMonth(month, 1 - evidenceMonths);
  const rowOf = new Map(training.map((r) => [`${r.month}|${r.institutionId}`, r]));
  const windowRows = all
    .filter((s) => s.month >= firstMonth && s.month <= month)
    .map((s) => {
      const r = rowOf.get(`${s.month}|${s.institutionId}`);
      return { ...s, exposure: r?.exposure, ruleFamilies: r?.ruleFamilies, ruleHits: r?.ruleHits };
    });
  const learned = options.outcomes ? learnFromOutcomes(windowRows, options.outcomes.labels, options.outcomes.options) : undefined;
  const outcome: OutcomeResult | undefined = learned?.result;
  const probabilityOf = learned?.probabilityOf ?? options.targetingScore?.probabilityOf;
  const targeting = targetingScores(windowRows, month, { ...options.targetingScore, moneyWindow: windowMonths, evidenceWindow: evidenceMonths, ...(probabilityOf ? { probabilityOf } : {}) });
  for (const s of all) if (s.month === month) s.targeting = targeting.get(s.institutionId)!;

  const results = all.filter((r) => r.month === month);
  results.sort((a, b) => b.score - a.score || cmp(a.institutionId, b.institutionId));
  return { forest, features, featureUse, sides, minPeers, windowMonths, evidenceMonths, trainingRows: training.length, scores: results, windowScores: all, outcome };
}

function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

function cmp(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}
