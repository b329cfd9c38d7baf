import type { Logger } from 'pino';
import type { Targeting } from '../../models/provider/target-score.js';
import type { ProviderScoreRef } from '../../rules/provider-model/score-ref.js';
import type { ProviderModelRepository } from './provider-model.repository.js';

/**
 * Each institution's latest provider score held in memory, so screening looks it up by key and
 * never queries per claim. Reloaded when a model version is stored: at once after training
 * through this process, within the refresh interval after the train command or another instance.
 */
export function createProviderScoreCache({ models, logger, refreshMs = 30_000 }: { models: ProviderModelRepository; logger: Logger; refreshMs?: number }) {
  let scores = new Map<string, ProviderScoreRef>();
  let fingerprint = '';
  let timer: NodeJS.Timeout | undefined;
  let loading: Promise<void> | undefined;

  async function reload(force: boolean) {
    const probe = JSON.stringify(await models.versionProbe());
    if (!force && probe === fingerprint) return;
    const next = new Map<string, ProviderScoreRef>();
    for (const r of await models.latestPerInstitution()) {
      const explanations = (typeof r.explanations === 'string' ? JSON.parse(r.explanations) : r.explanations) as { zh: string; en: string }[];
      const t = (typeof r.targeting === 'string' ? JSON.parse(r.targeting) : r.targeting) as Targeting | null;
      // The targeting score (0020) where the version has one: its percentile and rank in the peer
      // group are what the targeting rule reads, its sentence the first reason. Older versions: the forest's.
      next.set(r.institution_id, {
        institutionId: r.institution_id,
        month: r.month,
        modelId: Number(r.model_id),
        score: Number(r.score),
        percentile: t ? t.percentile : Number(r.percentile),
        peerGroup: t ? t.peerGroup : r.peer_group,
        peerSize: t ? t.peerSize : Number(r.peer_size),
        reasons: [...(t ? [{ zh: t.zh, en: t.en }] : []), ...explanations.map((e) => ({ zh: e.zh, en: e.en }))],
        ...(t ? { targeting: { score: t.score, probability: t.probability, rank: t.rank, source: t.source } } : {}),
      });
    }
    scores = next;
    fingerprint = probe;
    logger.info({ institutions: scores.size }, 'provider scores loaded');
  }
  const refresh = (force = false) => (loading ??= reload(force).finally(() => (loading = undefined)));

  return {
    refresh,
    start() {
      timer = setInterval(() => refresh().catch((err) => logger.warn({ err }, 'provider score refresh failed')), refreshMs);
      timer.unref();
      return refresh(true);
    },
    stop() {
      if (timer) clearInterval(timer);
    },
    latest: (institutionId: string): ProviderScoreRef | undefined => scores.get(institutionId),
  };
}

export type ProviderScoreCache = ReturnType<typeof createProviderScoreCache>;
