import { IsolationForest, type IsolationForestOptions } from '../isolation-forest/index.js';
import { explain, type Explanation } from './explain.js';
import { FEATURE_NAMES, type FeatureName, type FeatureValues, type InstitutionMonth } from './features.js';
import { peerStats, robustZ, type PeerStats } from './peer.js';

/**
 * The provider model: each institution-month's features made comparable within its peer group
 * (same type and level, same month) as robust z-scores, an isolation forest trained on those
 * rows, and each institution of the scored month ranked within its peer group.
 */
export interface ProviderScore {
  institutionId: string;
  month: string;
  peerGroup: string;
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
}

export interface ProviderModelOptions extends Pick<IsolationForestOptions, 'trees' | 'psi' | 'seed'> {
  /** the features the forest sees (default: all) */
  features?: readonly FeatureName[];
  /**
   * 'upper' (default): the forest sees max(z, 0), so only values above the peer median can set an
   * institution apart. Every feature is one where more is the risk (longer stays, more
   * readmissions, dearer mix, prices at the ceiling, more admissions per bed, more rule hits,
   * faster growth); an institution that is cheaper or quieter than its peers is not a target.
   * 'both': the plain z, either side.
   */
  sides?: 'upper' | 'both';
}

const groupKey = (r: InstitutionMonth) => `${r.peerGroup}|${r.month}`;

/** Median and robust scale of every feature in every (peer group, month). */
export function peerTable(rows: readonly InstitutionMonth[]): Map<string, Map<FeatureName, PeerStats | undefined>> {
  const groups = new Map<string, InstitutionMonth[]>();
  for (const r of rows) {
    const list = groups.get(groupKey(r));
    if (list) list.push(r);
    else groups.set(groupKey(r), [r]);
  }
  const table = new Map<string, Map<FeatureName, PeerStats | undefined>>();
  for (const [key, members] of groups) {
    table.set(key, new Map(FEATURE_NAMES.map((f) => [f, peerStats(members.map((m) => m.features[f]))])));
  }
  return table;
}

/** Row-major matrix of robust z-scores, one row per institution-month, columns in `features` order. */
export function comparableMatrix(
  rows: readonly InstitutionMonth[],
  table: ReturnType<typeof peerTable>,
  features: readonly FeatureName[],
  sides: 'upper' | 'both' = 'upper',
): Float64Array {
  const out = new Float64Array(rows.length * features.length);
  rows.forEach((r, i) => {
    const stats = table.get(groupKey(r));
    features.forEach((f, j) => {
      const z = robustZ(r.features[f], stats?.get(f));
      out[i * features.length + j] = sides === 'upper' ? Math.max(0, z) : z;
    });
  });
  return out;
}

/**
 * Trains on every row of the training window and scores the rows of `month`. Pure and
 * deterministic: same rows (in the same order), options and seed give the same forest and scores.
 */
export function trainProviderModel(rows: readonly InstitutionMonth[], month: string, options: ProviderModelOptions = {}) {
  const features = options.features ?? FEATURE_NAMES;
  // A fixed order, so the forest does not depend on the order the database returned the rows in.
  const training = [...rows].sort((a, b) => (a.month === b.month ? cmp(a.institutionId, b.institutionId) : cmp(a.month, b.month)));
  const table = peerTable(training);
  const sides = options.sides ?? 'upper';
  const x = comparableMatrix(training, table, features, sides);
  if (training.length < 2) throw new RangeError(`need at least 2 institution-months to train, got ${training.length}`);
  const forest = IsolationForest.fit({ data: x, cols: features.length }, { trees: options.trees, psi: options.psi, seed: options.seed, featureNames: features });

  const scored = training.filter((r) => r.month === month);
  if (scored.length === 0) throw new RangeError(`no institution has claims in ${month}`);
  const scores = forest.score(comparableMatrix(scored, table, features, sides));
  const byGroup = new Map<string, number[]>();
  scored.forEach((r, i) => {
    const list = byGroup.get(r.peerGroup) ?? [];
    list.push(scores[i]!);
    byGroup.set(r.peerGroup, list);
  });

  const results: ProviderScore[] = scored.map((r, i) => {
    const s = scores[i]!;
    const peers = byGroup.get(r.peerGroup)!;
    const stats = table.get(groupKey(r))!;
    const comparable = {} as Record<FeatureName, number>;
    const peerMedians = {} as Record<FeatureName, number | null>;
    for (const f of FEATURE_NAMES) {
      comparable[f] = robustZ(r.features[f], stats.get(f));
      peerMedians[f] = stats.get(f)?.median ?? null;
    }
    return {
      institutionId: r.institutionId,
      month: r.month,
      peerGroup: r.peerGroup,
      peerSize: peers.length,
      score: s,
      percentile: (100 * peers.filter((p) => p <= s).length) / peers.length,
      rank: 1 + peers.filter((p) => p > s).length,
      features: r.features,
      comparable,
      peerMedians,
      explanations: explain(
        features.map((f) => ({ feature: f, value: r.features[f], peerMedian: peerMedians[f] ?? undefined, z: comparable[f] })),
        { upperOnly: sides === 'upper' },
      ),
    };
  });
  results.sort((a, b) => b.score - a.score || cmp(a.institutionId, b.institutionId));
  return { forest, features, sides, trainingRows: training.length, scores: results };
}

function cmp(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}
