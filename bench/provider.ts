/**
 * `npm run bench:provider`: the provider model on the synthetic world. Builds the worlds of one or
 * more seeds (src/sim; each seed is a county with its own institutions, about one in five
 * inpatient institutions below tertiary made fraudulent), streams their claims through a real
 * service on a fresh PostgreSQL database, trains the provider model on the last month and prints
 * the institution-level ROC AUC of the scores (fraudulent against not), overall and per peer group.
 *
 * Flags: --seeds 42,43 (2 counties) --month 2026-08 (first month) --months 2 --scale 1 --window 1
 *        --trees 100 --psi 256 --seed 20081215 (forest seed) --pglite (embedded database instead)
 *        --keep (keep the database)
 * Env:   DATABASE_URL (a server to create the database on; default the local PostgreSQL)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { rocAuc } from '../models/metrics/auc.js';
import { FEATURE_NAMES, type FeatureName } from '../models/provider/features.js';
import { trainProviderModel } from '../models/provider/score.js';
import { addMonths, monthFeatures } from '../src/provider-model/features.query.js';
import { claimProgress } from '../scripts/sim/progress.js';
import { loadReference } from '../scripts/sim/load-reference.js';
import { streamClaims } from '../scripts/sim/stream-claims.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { DEFAULT_PROVIDER_SEED, trainProviderModelVersion } from '../src/provider-model/train-provider-model.js';
import { startService } from '../src/server.js';
import { simulate, type Simulation } from '../src/sim/simulation.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '42,43' },
    month: { type: 'string', default: '2026-08' },
    months: { type: 'string', default: '2' },
    scale: { type: 'string', default: '1' },
    window: { type: 'string', default: '1' },
    trees: { type: 'string', default: '100' },
    psi: { type: 'string', default: '256' },
    seed: { type: 'string', default: String(DEFAULT_PROVIDER_SEED) },
    features: { type: 'string' },
    pglite: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const seeds = values.seeds.split(',').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
const months = Number(values.months);
const log = (s: string) => process.stderr.write(`${s}\n`);

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const dbName = `cs_bench_provider_${randomBytes(4).toString('hex')}`;
let dbUrl: string | undefined;
if (!values.pglite) {
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  await admin.end();
  const u = new URL(BASE_URL);
  u.pathname = `/${dbName}`;
  dbUrl = u.toString();
}
const config = loadConfig({
  PORT: '0', DATA_DIR: 'memory://', LOG_LEVEL: 'warn', PERSON_ID_SECRET: 'bench-provider-secret-0123456789abcdef',
  ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
});
const service = await startService(config, createLogger('warn'));
const key = (await service.deps.keys.create({ clientName: 'bench-provider', role: 'admin', createdBy: 'bench' })).key;

try {
  const sims: Simulation[] = seeds.map((seed) => {
    const s = simulate({ seed, month: values.month, months, scale: Number(values.scale) });
    const daysSinceEnd = Math.floor((Date.now() - s.world.period.end) / 86_400_000) - 1;
    return daysSinceEnd < s.options.lateMaxDays ? simulate({ ...s.options, lateMaxDays: Math.max(0, daysSinceEnd) }) : s;
  });
  const lastMonth = sims[0]!.world.period.months.at(-1)!;
  const truth = new Map(sims.flatMap((s) => s.institutionTruth().map((t) => [t.institutionId, t] as const)));

  let claims = 0;
  const ingestStarted = performance.now();
  for (const sim of sims) {
    const total = sim.claimCount();
    log(`seed ${sim.options.seed}: ${total.toLocaleString('en')} claims, ${sim.institutions.length} institutions, ${sim.institutions.filter((i) => i.fraudulent).length} fraudulent`);
    await loadReference(sim.reference(), service.url, key);
    const progress = claimProgress(total);
    let answered = 0;
    await streamClaims(sim.claims(), { url: service.url, key, onAnswer: () => progress.update(++answered) });
    progress.stop();
    claims += answered;
  }
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;

  const trainStarted = performance.now();
  const steps: string[] = [];
  let stepAt = performance.now();
  const trainDb = service.deps.database;
  const result = await trainProviderModelVersion(
    {
      database: trainDb, models: service.deps.providerModels,
      onStep: (s) => {
        const now = performance.now();
        steps.push(`${((now - stepAt) / 1000).toFixed(2)} s`);
        stepAt = now;
        steps.push(s.step === 'features' ? `features ${s.month}` : s.step);
      },
    },
    {
      month: lastMonth, windowMonths: Number(values.window), trees: Number(values.trees), psi: Number(values.psi), seed: Number(values.seed),
      trainedBy: 'bench', ...(values.features ? { features: values.features.split(',') as FeatureName[] } : {}),
    },
  );
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  // The same rows without the raw volume counts (size, not behaviour): how much they cost or add.
  const windowRows = [];
  for (let i = Number(values.window) - 1; i >= 0; i--) windowRows.push(...(await monthFeatures(trainDb, addMonths(lastMonth, -i))));
  const withoutVolume = trainProviderModel(windowRows, lastMonth, {
    trees: Number(values.trees), psi: Number(values.psi), seed: Number(values.seed),
    features: FEATURE_NAMES.filter((f) => !['claims', 'patients', 'admissions'].includes(f)),
  });
  const bothSides = trainProviderModel(windowRows, lastMonth, { trees: Number(values.trees), psi: Number(values.psi), seed: Number(values.seed), sides: 'both' });
  steps.push(`${((performance.now() - stepAt) / 1000).toFixed(2)} s`);

  const scored = result.scores.map((s) => ({ ...s, fraudulent: truth.get(s.institutionId)?.fraudulent ?? false }));
  const auc = (rows: typeof scored) => rocAuc(rows.map((r) => r.score), rows.map((r) => r.fraudulent));
  const fraudCount = scored.filter((r) => r.fraudulent).length;
  const lines = [
    `provider model on the synthetic world: seeds ${seeds.join(',')}, scale ${values.scale}, ${months} month(s) from ${values.month}, scored ${lastMonth}, window ${values.window}`,
    `database ${service.deps.database.kind}; machine load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    `ingest: ${claims.toLocaleString('en')} claims through POST /v1/claims/stream in ${ingestSeconds.toFixed(1)} s (${Math.round(claims / ingestSeconds)} claims/s)`,
    `train: ${trainSeconds.toFixed(2)} s in all (steps: ${steps.join(' | ')}); forest ${result.trainMs} ms on ${result.trainingRows} institution-months, ${result.forest.nodeCount} nodes`,
    `institutions scored: ${scored.length}, fraudulent ${fraudCount}`,
    `AUC overall (fraudulent vs not): ${fraudCount > 0 && fraudCount < scored.length ? auc(scored).toFixed(4) : 'n/a'}`,
  ];
  const groups = [...new Set(scored.map((s) => s.peerGroup))].sort();
  for (const g of groups) {
    const rows = scored.filter((s) => s.peerGroup === g);
    const pos = rows.filter((r) => r.fraudulent).length;
    lines.push(`  ${g.padEnd(20)} ${String(rows.length).padStart(4)} institutions, ${String(pos).padStart(3)} fraudulent, AUC ${pos > 0 && pos < rows.length ? auc(rows).toFixed(4) : 'n/a (one class)'}`);
  }
  const inpatientGroups = scored.filter((s) => groups.some((g) => g === s.peerGroup && scored.some((r) => r.peerGroup === g && r.fraudulent)));
  if (inpatientGroups.length > 0) lines.push(`AUC within the peer groups that have fraudulent institutions, pooled: ${auc(inpatientGroups).toFixed(4)}`);
  const fraudOf = (id: string) => truth.get(id)?.fraudulent ?? false;
  const aucOf = (v: typeof withoutVolume) => rocAuc(v.scores.map((r) => r.score), v.scores.map((r) => fraudOf(r.institutionId))).toFixed(4);
  lines.push(`AUC overall without the volume counts (claims, patients, admissions): ${aucOf(withoutVolume)}`);
  lines.push(`AUC overall with z on both sides of the median (sides 'both'): ${aucOf(bothSides)}`);
  const pctAuc = rocAuc(scored.map((r) => r.percentile), scored.map((r) => r.fraudulent));
  lines.push(`AUC of the peer-group percentile (what targeting uses): ${pctAuc.toFixed(4)}`);
  lines.push('fraudulent institutions (score, rank in peer group, behaviours, top explanation):');
  for (const s of scored.filter((r) => r.fraudulent)) {
    lines.push(`  ${s.institutionId} ${s.peerGroup} ${s.score.toFixed(3)} ${s.rank}/${s.peerSize} [${truth.get(s.institutionId)?.behaviours.join(',')}] ${s.explanations[0]?.en ?? ''}`);
  }
  lines.push('highest scores:');
  for (const s of scored.slice(0, 8)) lines.push(`  ${s.institutionId} ${s.peerGroup} ${s.score.toFixed(3)} ${s.fraudulent ? 'FRAUD' : 'clean'} ${s.explanations.map((e) => e.en).join('; ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await service.stop();
  if (dbUrl && !values.keep) {
    const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  } else if (dbUrl) log(`kept database ${dbName}`);
}
