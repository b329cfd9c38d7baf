/** An institution's provider-model score as rules see it: the latest month scored, by the latest model. */
export interface ProviderScoreRef {
  institutionId: string;
  /** the month scored, yyyy-MM */
  month: string;
  modelId: number;
  score: number;
  /** percentile rank within the peer group (share of peers scoring at most this, in percent) */
  percentile: number;
  peerGroup: string;
  peerSize: number;
  /** the sentences that explain the score, most telling first */
  reasons: { zh: string; en: string }[];
}
