import { createHash } from 'node:crypto';
import type { FeatureName, InstitutionMonth } from '../../models/provider/features.js';
import type { OutcomeLabel } from '../../models/provider/outcomes.js';
import { DEFAULT_EVIDENCE_MONTHS, DEFAULT_WINDOW_MONTHS, trainProviderModel } from '../../models/provider/score.js';
import { DEFAULT_PSI, DEFAULT_TREES } from '../../models/isolation-forest/index.js';
import type { Database } from '../db/client.js';
import { addMonths, monthFeatures } from './features.query.js';
import type { ProviderModelRepository } from './provider-model.repository.js';

export interface TrainInput {
  /** the month scored, yyyy-MM; the training window ends with it */
  month: string;
  /** the money window: months of billing in the rolling expected loss and money at stake, ending with the scored month (default 3) */
  windowMonths?: number;
  /** the evidence window: months of an institution's history its targeting evidence pools, ending with the scored month (default 6) */
  evidenceMonths?: number;
  /** fewest institutions of a peer group; a smaller one falls back to type, then to all (default 5) */
  minPeers?: number;
  /** growth only against a month whose cut-off (last day + days) has passed (default 30) ... */
  growthCutoffDays?: number;
  /** ... and that holds at least this many claims of the institution (default 30) */
  growthMinClaims?: number;
  /** the moment of training (default now), for the cut-off */
  asOf?: Date;
  trees?: number;
  psi?: number;
  seed?: number;
  features?: readonly FeatureName[];
  sides?: 'upper' | 'both';
  /** concluded institution-months of each class needed to fit the supervised model (default 30) */
  minLabels?: number;
  /** the supervised model targets only when its cross-validated AUC beats the unsupervised one by this (default 0.02) */
  outcomeMargin?: number;
  trainedBy: string;
}

export type TrainStep = { step: 'features'; month: string } | { step: 'train' } | { step: 'store' };

export const DEFAULT_PROVIDER_SEED = 20_081_215;

/**
 * Computes the window's monthly features (in the database), trains the forest, scores the month
 * and stores the model version with its scores and explanations. Returns what was stored.
 */
export async function trainProviderModelVersion(ctx: { database: Database; models: ProviderModelRepository; onStep?: (s: TrainStep) => void }, input: TrainInput) {
  const windowMonths = input.windowMonths ?? DEFAULT_WINDOW_MONTHS;
  const evidenceMonths = input.evidenceMonths ?? DEFAULT_EVIDENCE_MONTHS;
  const growth = { cutoffDays: input.growthCutoffDays ?? 30, minClaims: input.growthMinClaims ?? 30 };
  // The forest trains on, and outcome labels come from, the longer of the two windows.
  const span = Math.max(windowMonths, evidenceMonths);
  const months = Array.from({ length: span }, (_, i) => addMonths(input.month, i - span + 1));
  const rows: InstitutionMonth[] = [];
  for (const month of months) {
    ctx.onStep?.({ step: 'features', month });
    rows.push(...(await monthFeatures(ctx.database, month, { growthCutoffDays: growth.cutoffDays, growthMinClaims: growth.minClaims, ...(input.asOf ? { asOf: input.asOf } : {}) })));
  }
  const labels = await outcomeLabels(ctx.database, months[0]!, input.month);
  ctx.onStep?.({ step: 'train' });
  const params = {
    trees: input.trees ?? DEFAULT_TREES,
    psi: input.psi ?? DEFAULT_PSI,
    seed: input.seed ?? DEFAULT_PROVIDER_SEED,
    windowMonths,
    evidenceMonths,
    sides: input.sides ?? 'upper',
    minPeers: input.minPeers ?? 5,
    growth,
  };
  const started = performance.now();
  const outcomeOptions = { minPerClass: input.minLabels ?? 30, margin: input.outcomeMargin ?? 0.02 };
  const result = trainProviderModel(rows, input.month, { ...params, ...(input.features ? { features: input.features } : {}), outcomes: { labels, options: outcomeOptions } });
  const trainMs = Math.round(performance.now() - started);
  ctx.onStep?.({ step: 'store' });
  const inputHash = hashInput(rows, result.features, params);
  const modelId = await ctx.models.store(
    {
      month: input.month,
      windowFrom: months[0]!,
      windowTo: input.month,
      params,
      featureNames: result.features,
      featureUse: result.featureUse,
      inputHash,
      trainingRows: result.trainingRows,
      model: result.forest.toJSON(),
      trainMs,
      trainedBy: input.trainedBy,
      outcome: { ...result.outcome!, options: outcomeOptions },
    },
    result.scores,
  );
  return { modelId, inputHash, trainMs, trainingRows: result.trainingRows, scores: result.scores, forest: result.forest, outcome: result.outcome! };
}

/**
 * Concluded review cases as labels of institution-months (service month) in the window: 1 when a
 * case of the institution-month was confirmed, 0 when every concluded one was dismissed. Months
 * without a concluded case are unlabelled, never clean.
 */
export async function outcomeLabels(database: Database, from: string, to: string): Promise<OutcomeLabel[]> {
  const rows = await database.query<{ institution_id: string; month: string; confirmed: string | number }>(
    `select institution_id, service_month as month, count(*) filter (where final_outcome = 'confirmed') as confirmed
       from review_cases where final_outcome is not null and service_month between $1 and $2
      group by institution_id, service_month order by institution_id, service_month`,
    [from, to],
  );
  return rows.map((r) => ({ institutionId: r.institution_id, month: r.month, label: Number(r.confirmed) > 0 ? 1 : 0 }));
}

/** SHA-256 of the training rows in a fixed order with the parameters: same hash, same input. */
export function hashInput(rows: readonly InstitutionMonth[], features: readonly string[], params: object): string {
  const sorted = [...rows].sort((a, b) => (a.month + a.institutionId < b.month + b.institutionId ? -1 : 1));
  const hash = createHash('sha256').update(JSON.stringify({ params, features }));
  // The rule-hit counts with rules in trial feed the targeting evidence, so they are input too.
  for (const r of sorted) hash.update(`\n${JSON.stringify([r.month, r.institutionId, r.peerGroup, features.map((f) => r.features[f as FeatureName]), r.ruleHits?.withTrial ?? null])}`);
  return hash.digest('hex');
}
