import type { Database } from '../db/client.js';

export interface RiskWeights {
  /** what the weights came from, stated in the draw */
  basis: string;
  formula: string;
  weights: Map<string, number>;
}

/**
 * Risk weights from the provider model's scores for a month, if the model has scored it;
 * undefined when there are no scores to weight by.
 */
export type RiskSource = (month: string, institutionIds: readonly string[]) => Promise<RiskWeights | undefined>;

export function createRiskSource(_database: Database): RiskSource {
  return async () => undefined;
}
