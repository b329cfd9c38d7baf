/**
 * Area under the ROC curve by the rank-sum (Mann–Whitney U) identity:
 *
 *   AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ · n₋)
 *
 * where R₊ is the sum of the ranks (1-based, ascending score) of the positives and tied scores
 * share the average of their ranks. This equals P(s₊ > s₋) + ½·P(s₊ = s₋) over all
 * positive/negative pairs. O(n log n).
 */

/** Positive = label 1 / true (here: outlier); a higher score must mean "more positive". */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const n = scores.length;
  if (labels.length !== n) {
    throw new RangeError(`${n} scores but ${labels.length} labels`);
  }
  const positive = new Uint8Array(n);
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (Number.isNaN(s)) throw new RangeError(`score ${i} is NaN`);
    const l = labels[i];
    if (l === 1 || l === true) {
      positive[i] = 1;
      nPos++;
    } else if (l !== 0 && l !== false) {
      throw new RangeError(`label ${i} is ${String(l)}, expected 0/1 or boolean`);
    }
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new RangeError('AUC needs at least one positive and one negative');
  }

  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa < sb ? -1 : sa > sb ? 1 : 0; // not sa − sb: Infinity − Infinity is NaN
  });

  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    // Group of tied scores occupies ranks i+1 .. j; each gets their mean (i + 1 + j) / 2.
    let j = i + 1;
    const s = scores[order[i]!]!;
    while (j < n && scores[order[j]!]! === s) j++;
    let posInGroup = 0;
    for (let k = i; k < j; k++) posInGroup += positive[order[k]!]!;
    rankSumPos += (posInGroup * (i + 1 + j)) / 2;
    i = j;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
