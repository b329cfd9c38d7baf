import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { catalogue } from '../rules/catalogue.js';
import { createApiKeyStore } from './auth/api-keys.js';
import { createClaimsRepository } from './claims/claims.repository.js';
import { createRejectionsRepository } from './claims/rejections.repository.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import type { AppDeps } from './deps.js';
import { createInspectionCtx } from './inspections/inspection-ctx.js';
import { createKeyedMutex } from './lib/keyed-mutex.js';
import { createNationalRepository } from './national/national.repository.js';
import { createMetrics } from './ops/metrics.js';
import { createPageSessions } from './page/session.js';
import { createProviderModelRepository } from './provider-model/provider-model.repository.js';
import { createProviderScoreCache } from './provider-model/provider-score-cache.js';
import { createReviewCases } from './review/cases.js';
import { createReviewConflicts } from './review/conflicts.js';
import { createReviewEvidence } from './review/evidence.js';
import { ratesPpm, sampleKey, sampleSessionSettings } from './review/sampling.js';
import { createTrailSealer } from './review/trail.js';
import { createSampleCloser } from './review/sample-closer.js';
import { createPartitionKeeper } from './db/partitions.js';
import { createReferenceRepository } from './reference/reference.repository.js';
import { windowNeeds } from '../rules/institution/needs.js';
import { createHistoryRepository } from './screening/history.repository.js';
import { createReferenceCache } from './screening/reference-cache.js';
import { createRuleSettings } from './screening/rule-settings.js';
import { createRuleErrorLog } from './screening/rule-errors.js';
import { createRulesRepository } from './screening/rules.repository.js';

/**
 * The embedded database keeps its own person-id secret beside its data, so a demo needs no
 * setup and hashes stay stable across restarts. A server deployment must configure the secret.
 */
export function resolvePersonIdSecret(config: Config): string {
  if (config.PERSON_ID_SECRET) return config.PERSON_ID_SECRET;
  const file = path.join(config.DATA_DIR, 'person-id.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

/** The settings each database session carries: the review sample's key and rates, for the intake trigger. */
export const reviewSessionSettings = (config: Config, personIdSecret: string) => sampleSessionSettings(sampleKey(config, personIdSecret), ratesPpm(config));

export function openConfiguredDatabase(config: Config, sessionSettings?: Record<string, string>): Promise<Database> {
  return openDatabase({
    sessionSettings,
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.DATA_DIR.startsWith('memory://') ? config.DATA_DIR : path.join(config.DATA_DIR, 'pglite'),
    pgliteTemplate: config.PGLITE_TEMPLATE,
    poolMax: config.DB_POOL_MAX,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    queryDeadlineMs: config.DB_QUERY_DEADLINE_MS,
  });
}

/** The composition root: builds every dependency once and hands it down. */
export function buildDeps(config: Config, database: Database, logger: Logger, personIdSecret: string, now: () => number = Date.now): AppDeps {
  const providerModels = createProviderModelRepository({ database });
  const rulesRepository = createRulesRepository({ database });
  const sealer = createTrailSealer({ database, logger });
  const keys = createApiKeyStore({ database, cacheTtlMs: config.AUTH_CACHE_TTL_MS, now, afterCommit: sealer.nudge });
  const schedule = { dueDays: config.REVIEW_SAMPLE_DUE_DAYS, slackDays: config.REVIEW_SAMPLE_SLACK_DAYS, now };
  const metrics = createMetrics(database);
  const ruleSettings = createRuleSettings({ repository: rulesRepository, logger, rules: catalogue, refreshMs: config.REFERENCE_REFRESH_MS });
  const referenceCache = createReferenceCache({ database, logger, refreshMs: config.REFERENCE_REFRESH_MS });
  return {
    config,
    database,
    logger,
    metrics,
    keys,
    claims: createClaimsRepository({
      database,
      maxBatch: config.DB_BATCH_MAX,
      maxBatchesInFlight: config.DB_BATCHES_IN_FLIGHT,
      onBatchError: (err, claims) => logger.warn({ err, claims }, 'writing claims together failed: writing them one by one'),
    }),
    rejections: createRejectionsRepository({ database, onRecord: (channel) => metrics.claimsRejected.inc({ channel }) }),
    reference: createReferenceRepository({ database, personIdSecret }),
    rules: catalogue,
    rulesRepository,
    ruleSettings,
    history: createHistoryRepository({
      database,
      windowDays: config.HISTORY_WINDOW_DAYS,
      maxBatch: config.DB_BATCH_MAX,
      maxBatchesInFlight: config.DB_BATCHES_IN_FLIGHT,
      onBatchError: (err, claims) => logger.warn({ err, claims }, 'reading histories together failed: reading them one by one'),
      windowNeeds: (claim) => windowNeeds(claim, referenceCache.view(), (ruleId) => ruleSettings.get(ruleId)?.params),
    }),
    referenceCache,
    personLock: createKeyedMutex(),
    personIdSecret,
    now,
    inspections: createInspectionCtx(database),
    ruleErrors: createRuleErrorLog({ repository: rulesRepository, logger }),
    providerModels,
    national: createNationalRepository({ database }),
    sessions: createPageSessions({ database, keys, now }),
    providerScores: createProviderScoreCache({ models: providerModels, logger, refreshMs: config.REFERENCE_REFRESH_MS }),
    partitions: createPartitionKeeper({ database, logger, aheadMonths: config.PARTITION_AHEAD_MONTHS, intervalMs: config.PARTITION_MAINTENANCE_MS, now }),
    review: {
      cases: createReviewCases({ database, drawPool: config.REVIEW_DRAW_POOL, afterCommit: sealer.nudge, now, caseDueDays: config.REVIEW_CASE_DUE_DAYS }),
      conflicts: createReviewConflicts({ database, afterCommit: sealer.nudge }),
      evidence: createReviewEvidence({ database, maxAttachmentBytes: Math.min(config.REVIEW_ATTACHMENT_MAX_BYTES, config.BODY_LIMIT_BYTES - 16 * 1024), afterCommit: sealer.nudge }),
      key: sampleKey(config, personIdSecret),
      rates: ratesPpm(config),
      schedule,
      sealer,
      closer: createSampleCloser({ database, logger, key: sampleKey(config, personIdSecret), rates: ratesPpm(config), schedule, intervalMs: config.REVIEW_SAMPLE_AUTOCLOSE_MS, now }),
    },
  };
}
