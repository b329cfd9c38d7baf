import type { Logger } from 'pino';
import type { Targeting } from '../../models/provider/target-score.js';
import type { ProviderScoreRef } from '../../rules/provider-model/score-ref.js';
import { createRefreshing } from '../lib/refreshing.js';
import type { ProviderModelRepository } from './provider-model.repository.js';

/**
 * Each institution's latest provider score held in memory, so screening looks it up by key and
 * never queries per claim. Reloaded when a model version is stored: at once after training
 * through this process, within the refresh interval after the train command or another instance.
 */
export function createProviderScoreCache({ models, logger, refreshMs = 30_000 }: { models: ProviderModelRepository; logger: Logger; refreshMs?: number }) {
  const scores = createRefreshing({
    name: 'provider score',
    initial: new Map<string, ProviderScoreRef>(),
    probe: models.versionProbe,
    load: async () => new Map((await models.latestPerInstitution()).map((r) => [r.institution_id, scoreRef(r)])),
    onLoaded: (loaded) => logger.info({ institutions: loaded.size }, 'provider scores loaded'),
    refreshMs,
    logger,
  });

  return {
    refresh: scores.refresh,
    start: scores.start,
    stop: scores.stop,
    latest: (institutionId: string): ProviderScoreRef | undefined => scores.current().get(institutionId),
  };
}

/**
 * The targeting score (0020) where the version has one: its percentile and rank in the peer group
 * are what the targeting rule reads, its sentence the first reason. Older versions: the forest's.
 */
function scoreRef(r: Awaited<ReturnType<ProviderModelRepository['latestPerInstitution']>>[number]): ProviderScoreRef {
  const explanations = (typeof r.explanations === 'string' ? JSON.parse(r.explanations) : r.explanations) as { zh: string; en: string }[];
  const t = (typeof r.targeting === 'string' ? JSON.parse(r.targeting) : r.targeting) as Targeting | null;
  return {
    institutionId: r.institution_id,
    month: r.month,
    modelId: Number(r.model_id),
    score: Number(r.score),
    percentile: t ? t.percentile : Number(r.percentile),
    peerGroup: t ? t.peerGroup : r.peer_group,
    peerSize: t ? t.peerSize : Number(r.peer_size),
    reasons: [...(t ? [{ zh: t.zh, en: t.en }] : []), ...explanations.map((e) => ({ zh: e.zh, en: e.en }))],
    ...(t ? { targeting: { score: t.score, probability: t.probability, rank: t.rank, source: t.source } } : {}),
  };
}

export type ProviderScoreCache = ReturnType<typeof createProviderScoreCache>;
