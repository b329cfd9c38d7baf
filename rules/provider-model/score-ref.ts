/** An institution's provider-model score as rules see it: the latest month scored, by the latest model. */
export interface ProviderScoreRef {
  institutionId: string;
  /** the month scored, yyyy-MM */
  month: string;
  modelId: number;
  score: number;
  /** the targeting score (yuan), its P(fraud), rank in the peer group and source, when the model version has one */
  targeting?: { score: number; probability: number; rank: number; source: 'unsupervised' | 'supervised' };
  /** percentile rank within the peer group (share of peers scoring at most this, in percent): of the targeting score when there is one, else of the forest score */
  percentile: number;
  peerGroup: string;
  peerSize: number;
  /** the sentences that explain the score, most telling first */
  reasons: { zh: string; en: string }[];
}
