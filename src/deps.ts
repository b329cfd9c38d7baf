import type { Logger } from 'pino';
import type { AnyRule } from '../rules/engine.js';
import type { ApiKeyStore } from './auth/api-keys.js';
import type { ClaimsRepository } from './claims/claims.repository.js';
import type { RejectionsRepository } from './claims/rejections.repository.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { InspectionCtx } from './inspections/draw-inspections.js';
import type { KeyedMutex } from './lib/keyed-mutex.js';
import type { NationalRepository } from './national/national.repository.js';
import type { Metrics } from './ops/metrics.js';
import type { PageSessions } from './page/session.js';
import type { ProviderModelRepository } from './provider-model/provider-model.repository.js';
import type { ProviderScoreCache } from './provider-model/provider-score-cache.js';
import type { ReviewCases } from './review/cases.js';
import type { ReviewConflicts } from './review/conflicts.js';
import type { ReviewEvidence } from './review/evidence.js';
import type { RatesPpm, SampleSchedule } from './review/sampling.js';
import type { TrailSealer } from './review/trail.js';
import type { SampleCloser } from './review/sample-closer.js';
import type { PartitionKeeper } from './db/partitions.js';
import type { ReferenceRepository } from './reference/reference.repository.js';
import type { HistoryRepository } from './screening/history.repository.js';
import type { ReferenceCache } from './screening/reference-cache.js';
import type { RuleErrorLog } from './screening/rule-errors.js';
import type { RuleSettings } from './screening/rule-settings.js';
import type { RulesRepository } from './screening/rules.repository.js';

/** What the composition root builds once and hands down; nothing here is a global. */
export interface AppDeps {
  config: Config;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  keys: ApiKeyStore;
  claims: ClaimsRepository;
  rejections: RejectionsRepository;
  reference: ReferenceRepository;
  rules: readonly AnyRule[];
  ruleSettings: RuleSettings;
  rulesRepository: RulesRepository;
  history: HistoryRepository;
  referenceCache: ReferenceCache;
  personLock: KeyedMutex;
  personIdSecret: string;
  now: () => number;
  inspections: InspectionCtx;
  ruleErrors: RuleErrorLog;
  providerModels: ProviderModelRepository;
  providerScores: ProviderScoreCache;
  national: NationalRepository;
  /** the review pages' sign-in sessions */
  sessions: PageSessions;
  /** monthly partitions created ahead (src/db/partitions.ts) */
  partitions: PartitionKeeper;
  review: { cases: ReviewCases; conflicts: ReviewConflicts; evidence: ReviewEvidence; key: Buffer; rates: RatesPpm; schedule: SampleSchedule; sealer: TrailSealer; closer: SampleCloser };
}
