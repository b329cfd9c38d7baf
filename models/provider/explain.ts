import { FEATURE_SPEC, formatValue } from './features.js';

/** One feature that made an institution stand out, as a reviewer reads it. */
export interface Explanation {
  feature: string;
  value: number | null;
  peerMedian: number;
  /** robust z: (value − peer median) / MAD */
  z: number;
  zh: string;
  en: string;
}

/** "平均住院日 18.2 天, 同级同类机构中位数 7.9 天" / "mean length of stay 18.2 days; peer median 7.9 days" */
export function explainFeature(feature: string, value: number | null, peerMedian: number, z: number): Explanation {
  const spec = FEATURE_SPEC.get(feature);
  if (!spec) throw new RangeError(`no feature ${feature}`);
  const v = formatValue(spec.unit, value);
  const m = formatValue(spec.unit, peerMedian);
  return {
    feature,
    value,
    peerMedian,
    z,
    zh: `${spec.zh} ${v.zh}, 同级同类机构中位数 ${m.zh}`,
    en: `${spec.en} ${v.en}; peer median ${m.en}`,
  };
}

/**
 * The features furthest from the peer median (by |z|; above it only, with `upperOnly`, as the
 * forest sees them): up to `max` of those at least `minZ` away, or the single furthest one when
 * none is, so every score says where the institution stands.
 */
export function explain(
  candidates: readonly { feature: string; value: number | null; peerMedian: number | undefined; z: number }[],
  { max = 3, minZ = 2, upperOnly = false }: { max?: number; minZ?: number; upperOnly?: boolean } = {},
): Explanation[] {
  const usable = candidates.filter((c) => c.value !== null && c.peerMedian !== undefined && (upperOnly ? c.z > 0 : c.z !== 0));
  const sorted = [...usable].sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || (a.feature < b.feature ? -1 : 1));
  const far = sorted.filter((c) => Math.abs(c.z) >= minZ).slice(0, max);
  const chosen = far.length > 0 ? far : sorted.slice(0, 1);
  return chosen.map((c) => explainFeature(c.feature, c.value, c.peerMedian as number, c.z));
}
