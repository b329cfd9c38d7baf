import { and, desc, eq } from 'drizzle-orm';
import type { FeatureUse, ProviderScore } from '../../models/provider/score.js';
import type { Database } from '../db/client.js';
import { providerModels, providerScores } from '../db/schema.js';

export interface NewProviderModel {
  month: string;
  windowFrom: string;
  windowTo: string;
  params: { trees: number; psi: number; seed: number; windowMonths: number; evidenceMonths?: number; sides: 'upper' | 'both'; minPeers: number; growth: { cutoffDays: number; minClaims: number } };
  featureNames: readonly string[];
  featureUse: FeatureUse;
  /** learning from outcomes: what was fitted and which probability targets (absent: none tried) */
  outcome?: unknown;
  inputHash: string;
  trainingRows: number;
  model: unknown;
  trainMs: number;
  trainedBy: string;
}

const summary = {
  id: providerModels.id,
  month: providerModels.month,
  windowFrom: providerModels.windowFrom,
  windowTo: providerModels.windowTo,
  params: providerModels.params,
  seed: providerModels.seed,
  featureNames: providerModels.featureNames,
  featureUse: providerModels.featureUse,
  outcome: providerModels.outcome,
  inputHash: providerModels.inputHash,
  trainingRows: providerModels.trainingRows,
  trainMs: providerModels.trainMs,
  trainedBy: providerModels.trainedBy,
  trainedAt: providerModels.trainedAt,
};

const scoreColumns = {
  modelId: providerScores.modelId,
  institutionId: providerScores.institutionId,
  month: providerScores.month,
  peerGroup: providerScores.peerGroup,
  peerBasis: providerScores.peerBasis,
  nominalPeerGroup: providerScores.nominalPeerGroup,
  peerSize: providerScores.peerSize,
  score: providerScores.score,
  monthLoss: providerScores.monthLoss,
  windowLoss: providerScores.windowLoss,
  risk: providerScores.risk,
  targetingScore: providerScores.targetingScore,
  targeting: providerScores.targeting,
  percentile: providerScores.percentile,
  rank: providerScores.rank,
  features: providerScores.features,
  comparable: providerScores.comparable,
  peerMedians: providerScores.peerMedians,
  explanations: providerScores.explanations,
};

/** Model versions and their scores: written once per training run, in one transaction, never updated. */
export function createProviderModelRepository({ database }: { database: Database }) {
  const { db } = database;
  return {
    async store(model: NewProviderModel, scores: readonly ProviderScore[]): Promise<number> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(providerModels)
          .values({ ...model, seed: model.params.seed, featureNames: [...model.featureNames] })
          .returning({ id: providerModels.id });
        const id = row!.id;
        for (let i = 0; i < scores.length; i += 500) {
          await tx.insert(providerScores).values(
            scores.slice(i, i + 500).map((s) => ({
              modelId: id,
              institutionId: s.institutionId,
              month: s.month,
              peerGroup: s.peerGroup,
              peerBasis: s.peerBasis,
              nominalPeerGroup: s.nominalPeerGroup,
              peerSize: s.peerSize,
              monthLoss: s.risk?.monthLoss ?? null,
              windowLoss: s.risk?.windowLoss ?? null,
              risk: s.risk ?? null,
              targetingScore: s.targeting?.score ?? null,
              targeting: s.targeting ?? null,
              score: s.score,
              percentile: s.percentile,
              rank: s.rank,
              features: s.features,
              comparable: s.comparable,
              peerMedians: s.peerMedians,
              explanations: s.explanations,
            })),
          );
        }
        return id;
      });
    },

    listModels() {
      return db.select(summary).from(providerModels).orderBy(desc(providerModels.id));
    },

    async model(id: number) {
      const [row] = await db
        .select({ ...summary, model: providerModels.model })
        .from(providerModels)
        .where(eq(providerModels.id, id));
      return row;
    },

    /** the latest model that scored the month */
    async latestModelFor(month: string): Promise<number | undefined> {
      const [row] = await db.select({ id: providerModels.id }).from(providerModels).where(eq(providerModels.month, month)).orderBy(desc(providerModels.id)).limit(1);
      return row?.id;
    },

    scores(modelId: number) {
      return db.select(scoreColumns).from(providerScores).where(eq(providerScores.modelId, modelId)).orderBy(desc(providerScores.score), providerScores.institutionId);
    },

    async scoreOf(modelId: number, institutionId: string) {
      const [row] = await db
        .select(scoreColumns)
        .from(providerScores)
        .where(and(eq(providerScores.modelId, modelId), eq(providerScores.institutionId, institutionId)));
      return row;
    },

    /** the latest month scored for an institution, by any model */
    async latestMonthOf(institutionId: string): Promise<string | undefined> {
      const [row] = await database.query<{ month: string }>('select max(month) as month from provider_scores where institution_id = $1', [institutionId]);
      return row?.month ?? undefined;
    },

    /** changes whenever a model version is stored: the score cache reloads when it does */
    versionProbe() {
      return database.query<{ id: string; n: string }>('select coalesce(max(id), 0)::text as id, count(*)::text as n from provider_models');
    },

    /** each institution's latest month, scored by the latest model of that month */
    latestPerInstitution() {
      return database.query<{
        institution_id: string;
        month: string;
        model_id: string | number;
        score: number;
        percentile: number;
        peer_group: string;
        peer_size: number;
        explanations: unknown;
        targeting: unknown;
      }>(
        `select distinct on (s.institution_id) s.institution_id, s.month, s.model_id, s.score, s.percentile, s.peer_group, s.peer_size, s.explanations, s.targeting
         from provider_scores s order by s.institution_id, s.month desc, s.model_id desc`,
      );
    },

    /** one institution's latest month, scored by the latest model of that month, every column */
    async latestOf(institutionId: string) {
      const [row] = await db
        .select(scoreColumns)
        .from(providerScores)
        .where(eq(providerScores.institutionId, institutionId))
        .orderBy(desc(providerScores.month), desc(providerScores.modelId))
        .limit(1);
      return row;
    },
  };
}

export type ProviderModelRepository = ReturnType<typeof createProviderModelRepository>;
