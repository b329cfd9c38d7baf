/**
 * `npm run train -- --month 2026-10 [--window 3] [--evidence-window 6] [--trees 100] [--psi 256] [--seed 20081215] [--by "Zhang Wei"]`
 *
 * Computes the monthly provider features in the database (DATABASE_URL, or the embedded database
 * under DATA_DIR), trains the isolation forest on the training window, scores every institution of
 * the month and stores the model version with its scores and explanations. --window is the money
 * window (months of billing counted as money at stake), --evidence-window the months of history
 * the targeting evidence pools; both are recorded in the model version. A running service picks
 * the new scores up within REFERENCE_REFRESH_MS and uses them for targeted review.
 *
 * While the service runs on the embedded database (its one owner), the same training runs in the
 * service (POST /v1/admin/models/train) given CLAIMSCREEN_KEY=<an admin's key> (and --url or
 * CLAIMSCREEN_URL, else the URL its lock file names); the key's holder is recorded as the trainer.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { createProviderModelRepository } from '../src/provider-model/provider-model.repository.js';
import { DEFAULT_PROVIDER_SEED, trainProviderModelVersion, type TrainStep } from '../src/provider-model/train-provider-model.js';
import { cliConfig, databaseOrService, fail, SERVICE_OPTIONS } from './cli.js';

const { values } = parseArgs({
  options: {
    month: { type: 'string' },
    window: { type: 'string', default: '3' },
    'evidence-window': { type: 'string', default: '6' },
    trees: { type: 'string', default: '100' },
    psi: { type: 'string', default: '256' },
    seed: { type: 'string', default: String(DEFAULT_PROVIDER_SEED) },
    by: { type: 'string', default: process.env.USER ?? 'train command' },
    'min-labels': { type: 'string', default: '30' },
    'outcome-margin': { type: 'string', default: '0.02' },
    ...SERVICE_OPTIONS,
  },
});
const whole = (name: string, v: string, min: number, max: number) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
};
if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) fail('--month yyyy-MM is required (the month to score)');
const month = values.month;
const windowMonths = whole('window', values.window, 1, 36);
const evidenceMonths = whole('evidence-window', values['evidence-window'], 1, 36);
const trees = whole('trees', values.trees, 1, 10_000);
const psi = whole('psi', values.psi, 2, 1_000_000);
const seed = whole('seed', values.seed, 0, 0xffffffff);
const minLabels = whole('min-labels', values['min-labels'], 2, 1_000_000);
const outcomeMargin = Number(values['outcome-margin']);
if (!(outcomeMargin >= 0 && outcomeMargin <= 1)) fail('--outcome-margin must be a number from 0 to 1');

const config = cliConfig();
// Offline work over a whole month: not bound by the service's per-statement timeout.
const target = await databaseOrService({ ...config, DB_STATEMENT_TIMEOUT_MS: Math.max(config.DB_STATEMENT_TIMEOUT_MS, 3_600_000) }, values);
if ('service' in target) {
  process.stderr.write(`training in the service at ${target.service.url} …\n`);
  const r = await target.service.json<{
    modelId: number;
    institutions: number;
    trainingRows: number;
    inputHash: string;
    trainMs: number;
    ms: number;
    top: { institutionId: string; peerGroup: string; score: number; percentile: number; explanations: string[] }[];
  }>('POST', '/v1/admin/models/train', { month, windowMonths, evidenceMonths, trees, psi, seed, minLabels, outcomeMargin });
  const o = (r as unknown as { outcome: { why: string } }).outcome;
  const top = r.top.map((s) => `  ${s.institutionId} ${s.peerGroup} p${Math.round(s.percentile)}: ${s.explanations[0] ?? ''}`);
  process.stdout.write(
    `model version ${r.modelId}: ${r.institutions} institutions scored for ${month}, ${r.trainingRows} institution-months trained on ` +
      `(${trees} trees, psi ${psi}, seed ${seed}) in ${(r.ms / 1000).toFixed(1)} s in the service (forest ${r.trainMs} ms)\n` +
      `input hash ${r.inputHash}\nlearning from outcomes: ${o.why}\nhighest targeting scores:\n${top.join('\n')}\n`,
  );
  process.exit(0);
}
const { database } = target;
const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'training |{bar}| {value}/{total} steps | {stage}', hideCursor: true, noTTYOutput: false }, cliProgress.Presets.shades_classic);
const label = (s: TrainStep) => (s.step === 'features' ? `features of ${s.month}` : s.step === 'train' ? 'training and scoring' : 'storing');
let done = 0;
bar.start(Math.max(windowMonths, evidenceMonths) + 2, 0, { stage: 'starting' });
try {
  const started = performance.now();
  const result = await trainProviderModelVersion(
    { database, models: createProviderModelRepository({ database }), onStep: (s) => bar.update(done++, { stage: label(s) }) },
    { month, windowMonths, evidenceMonths, trees, psi, seed, minLabels, outcomeMargin, trainedBy: values.by },
  );
  bar.update(Math.max(windowMonths, evidenceMonths) + 2, { stage: 'done' });
  bar.stop();
  const top = [...result.scores]
    .sort((a, b) => (b.targeting?.score ?? 0) - (a.targeting?.score ?? 0))
    .slice(0, 5)
    .map((s) => `  ${s.institutionId} ${s.peerGroup}: ${s.targeting?.zh ?? ''}`);
  process.stdout.write(
    `model version ${result.modelId}: ${result.scores.length} institutions scored for ${month}, ${result.trainingRows} institution-months trained on ` +
      `(${trees} trees, psi ${psi}, seed ${seed}) in ${((performance.now() - started) / 1000).toFixed(1)} s (forest ${result.trainMs} ms)\n` +
      `input hash ${result.inputHash}\nlearning from outcomes: ${result.outcome.why}\nhighest targeting scores:\n${top.join('\n')}\n`,
  );
} catch (err) {
  bar.stop();
  fail(`train failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await database.close();
}
