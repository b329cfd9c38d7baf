import { mean, median, medianAbsoluteDeviation } from 'simple-statistics';

/** Where one value stands in its peer group: the group's median and spread, and the robust z. */
export interface PeerStats {
  median: number;
  /** the spread divided by: the MAD, or its fallback when the MAD is 0 */
  scale: number;
}

/**
 * For normal data the MAD is 0.6745 σ and the mean absolute deviation 0.7979 σ, so
 * meanAD × 0.6745 / 0.7979 estimates the MAD. It stands in when more than half the group
 * shares one value and the MAD is 0 (a feature most peers do not have, e.g. stays ≥ 30 days).
 */
const MEAN_AD_TO_MAD = 1.2533 * 0.6745;

/** Median and robust scale of a group's values (nulls left out); scale 0 when all are equal. */
export function peerStats(values: readonly (number | null)[]): PeerStats | undefined {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return undefined;
  const m = median(xs);
  const mad = xs.length > 1 ? medianAbsoluteDeviation(xs) : 0;
  if (mad > 0) return { median: m, scale: mad };
  const meanAd = mean(xs.map((x) => Math.abs(x - m)));
  return { median: m, scale: meanAd * MEAN_AD_TO_MAD };
}

/** Largest |z| kept: beyond it a value is simply "very far", and extremes do not stretch the cuts. */
export const Z_LIMIT = 20;

/**
 * (x − median) / MAD, the robust z of a value in its group; 0 for a missing value (it is then
 * where the median is) and for a group without spread.
 */
export function robustZ(x: number | null, stats: PeerStats | undefined): number {
  if (x === null || !stats || !(stats.scale > 0)) return 0;
  const z = (x - stats.median) / stats.scale;
  return Math.max(-Z_LIMIT, Math.min(Z_LIMIT, z));
}
