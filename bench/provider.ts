/**
 * `npm run bench:provider`: provider targeting on the synthetic worlds. For each world (sim
 * option fraudWorld: 'spread', fraud drawn size-matched across institutions; 'large', fraud
 * concentrated in the larger institutions) the counties of every seed are streamed through a real
 * service into one fresh database (a province of counties), the provider model is trained on the
 * last month with its rolling window, and, county by county, the ROC AUC of fraudulent against
 * honest institutions is computed for the targeting figure (expected loss in yuan over the window),
 * the forest score, claims count alone, amount billed alone, and every single feature alone (raw
 * value and peer z, higher = riskier). Printed as mean ± sd over the seeds; the best single
 * feature is the one with the best mean, chosen on the same counties (which favours it).
 *
 * Flags: --worlds spread,large --seeds 42..49 (or 42,43) --month 2026-07 (first month) --months 3
 *        --scale 1 --volume 0.04 (each institution's daily volume) --window 3 (money window)
 *        --evidence-window 6 (months the evidence pools; features are read for the longer) --trees 100 --psi 256
 *        --seed 20081215 (forest seed) --pglite (embedded database) --db NAME (databases NAME_<world>,
 *        kept) --reuse (read them as they are, no ingest) --ingest-only --dump FILE --from FILE
 *        outcome learning: --review-share 0.2 --auditor-accuracy 0.9 (simulated) --audit-seed 7
 *        --min-labels 30 --lambda 1 (primary columns) --detail-lambda 100 (or cv: chosen among DETAIL_LAMBDAS)
 *        --assumed-accuracy 0.9 (the model's) --label-noise auditors (1 − assumed accuracy, or a number; 0: plain fits)
 *        --prior supervised|calibrated|unsupervised (the form before label noise: --label-noise 0 --prior unsupervised)
 * Env:   DATABASE_URL (a server to create the databases on; default the local PostgreSQL)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { rocAuc } from '../models/metrics/auc.js';
import { FEATURE_NAMES, type InstitutionMonth } from '../models/provider/features.js';
import { predictLogistic } from '../models/provider/logistic.js';
import { DETAIL_LAMBDAS, learnFromOutcomes, outcomeColumns, unsupervisedOf, windowEvidence, type OutcomeLabel } from '../models/provider/outcomes.js';
import { trainProviderModel } from '../models/provider/score.js';
import { logistic, targetingEvidence } from '../models/provider/target-score.js';
import { Xoshiro128ss } from '../models/isolation-forest/prng.js';
import { claimProgress } from '../scripts/sim/progress.js';
import { loadReference } from '../scripts/sim/load-reference.js';
import { streamClaims } from '../scripts/sim/stream-claims.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { addMonths, monthFeatures } from '../src/provider-model/features.query.js';
import { DEFAULT_PROVIDER_SEED } from '../src/provider-model/train-provider-model.js';
import { startService } from '../src/server.js';
import { simulate, type Simulation } from '../sim/simulation.js';

const { values } = parseArgs({
  options: {
    worlds: { type: 'string', default: 'spread,large' },
    seeds: { type: 'string', default: '42..49' },
    month: { type: 'string', default: '2026-07' },
    months: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' },
    volume: { type: 'string', default: '0.04' },
    window: { type: 'string', default: '3' },
    'evidence-window': { type: 'string', default: '6' },
    trees: { type: 'string', default: '100' },
    psi: { type: 'string', default: '256' },
    seed: { type: 'string', default: String(DEFAULT_PROVIDER_SEED) },
    pglite: { type: 'boolean', default: false },
    db: { type: 'string' },
    reuse: { type: 'boolean', default: false },
    'ingest-only': { type: 'boolean', default: false },
    dump: { type: 'string' },
    'review-share': { type: 'string', default: '0.2' },
    'auditor-accuracy': { type: 'string', default: '0.9' },
    'audit-seed': { type: 'string', default: '7' },
    'min-labels': { type: 'string', default: '30' },
    lambda: { type: 'string', default: '1' },
    'detail-lambda': { type: 'string', default: '100' },
    'label-noise': { type: 'string', default: 'auditors' },
    prior: { type: 'string', default: 'supervised' },
    'assumed-accuracy': { type: 'string', default: '0.9' },
    from: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const range = /^(\d+)\.\.(\d+)$/.exec(values.seeds);
const seeds = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i) : values.seeds.split(',').map(Number);
const worlds = values.worlds.split(',') as ('spread' | 'large')[];
const months = Number(values.months);
const windowMonths = Number(values.window);
const evidenceMonths = Number(values['evidence-window']);
// Features are read for the longer of the two windows: the forest trains on all of them.
const spanMonths = Math.max(windowMonths, evidenceMonths);
const log = (s: string) => process.stderr.write(`${s}\n`);
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

const meanSd = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean: m, sd, text: `${m.toFixed(3)} ± ${sd.toFixed(3)}` };
};

function sims(world: 'spread' | 'large'): Simulation[] {
  return seeds.map((seed) => {
    const options = { seed, month: values.month, months, scale: Number(values.scale), volume: Number(values.volume), fraudWorld: world };
    const s = simulate(options);
    const daysSinceEnd = Math.floor((Date.now() - s.world.period.end) / 86_400_000) - 1;
    return daysSinceEnd < s.options.lateMaxDays ? simulate({ ...s.options, lateMaxDays: Math.max(0, daysSinceEnd) }) : s;
  });
}

async function runWorld(world: 'spread' | 'large') {
  if (values.from) {
    const data = JSON.parse(readFileSync(values.from.replace('{world}', world), 'utf8')) as Dumped;
    return evaluate(world, data, [`  rows read from ${values.from.replace('{world}', world)}`]);
  }
  const counties = sims(world);
  const dbName = values.db ? `${values.db}_${world}` : `cs_bench_provider_${world}_${randomBytes(4).toString('hex')}`;
  let dbUrl: string | undefined;
  if (!values.pglite) {
    if (!values.reuse) {
      const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${dbName} with (force)`);
      await admin.unsafe(`create database ${dbName}`);
      await admin.end();
    }
    const u = new URL(BASE_URL);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
  }
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'warn',
    PERSON_ID_SECRET: 'bench-provider-secret-0123456789abcdef',
    ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
  });
  const service = await startService(config, createLogger('warn'));
  try {
    let claims = 0;
    const ingestStarted = performance.now();
    if (!values.reuse) {
      const key = (await service.deps.keys.create({ clientName: 'bench-provider', role: 'admin', createdBy: 'bench' })).key;
      for (const sim of counties) {
        const total = sim.claimCount();
        log(`${world} seed ${sim.options.seed}: ${total.toLocaleString('en')} claims, ${sim.institutions.length} institutions, ${sim.institutions.filter((i) => i.fraudulent).length} fraudulent`);
        await loadReference(sim.reference(), service.url, key);
        const progress = claimProgress(total);
        let answered = 0;
        await streamClaims(sim.claims(), { url: service.url, key, onAnswer: () => progress.update(++answered) });
        progress.stop();
        claims += answered;
      }
    }
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    if (values['ingest-only']) return [`${world}: ingested ${claims} claims in ${ingestSeconds.toFixed(0)} s into ${dbName}`];

    const lastMonth = counties[0]!.world.period.months.at(-1)!;
    const featureStarted = performance.now();
    const rows: InstitutionMonth[] = [];
    for (let i = spanMonths - 1; i >= 0; i--) rows.push(...(await monthFeatures(service.deps.database, addMonths(lastMonth, -i))));
    const featureSeconds = (performance.now() - featureStarted) / 1000;
    const data: Dumped = {
      world,
      seeds,
      lastMonth,
      rows,
      truth: counties.flatMap((s) => s.institutionTruth().map((t) => ({ institutionId: t.institutionId, fraudulent: t.fraudulent, behaviours: t.behaviours }))),
      counties: counties.map((s) => ({ seed: s.options.seed, ids: s.institutions.map((i) => i.id) })),
    };
    if (values.dump) writeFileSync(values.dump.replace('{world}', world), JSON.stringify(data));
    return evaluate(world, data, [
      `  database ${service.deps.database.kind}${values.reuse ? ' (reused)' : ''}`,
      ...(values.reuse ? [] : [`  ingest: ${claims.toLocaleString('en')} claims through POST /v1/claims/stream in ${ingestSeconds.toFixed(1)} s (${Math.round(claims / ingestSeconds)} claims/s)`]),
      `  features ${featureSeconds.toFixed(2)} s (SQL, ${spanMonths} months)`,
    ]);
  } finally {
    await service.stop();
    if (dbUrl && !values.db) {
      const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }
}

/** What the benchmark evaluates: the window's institution-months, and the truth of every county. */
interface Dumped {
  world: string;
  seeds: (number | string)[];
  lastMonth: string;
  rows: InstitutionMonth[];
  truth: { institutionId: string; fraudulent: boolean; behaviours: string[] }[];
  counties: { seed: number | string; ids: string[] }[];
}

function evaluate(world: string, dumped: Dumped, header: string[]): string[] {
  // Only the institutions of the counties asked for (a database or dump may hold more, or a county
  // still being ingested).
  const wanted = new Set(seeds.map(String));
  const counties = dumped.counties.filter((c) => wanted.has(String(c.seed)));
  const ids = new Set(counties.flatMap((c) => c.ids));
  const data: Dumped = {
    ...dumped,
    seeds: counties.map((c) => c.seed),
    counties,
    rows: dumped.rows.filter((r) => ids.has(r.institutionId)),
    truth: dumped.truth.filter((t) => ids.has(t.institutionId)),
  };
  const { rows, lastMonth } = data;
  const out: string[] = [];
  const trainStarted = performance.now();
  const model = trainProviderModel(rows, lastMonth, { trees: Number(values.trees), psi: Number(values.psi), seed: Number(values.seed), windowMonths, evidenceMonths });
  const trainMs = performance.now() - trainStarted;

  const truth = new Map(data.truth.map((t) => [t.institutionId, t] as const));
  const current = rows.filter((r) => r.month === lastMonth);
  const byId = new Map(current.map((r) => [r.institutionId, r]));
  const scoreOf = new Map(model.scores.map((s) => [s.institutionId, s]));
  type Ranking = { name: string; value: (id: string) => number };
  const rankings: Ranking[] = [
    { name: 'targeting score (what targeting ranks by)', value: (id) => scoreOf.get(id)!.targeting!.score },
    { name: 'expected loss over the window (yuan)', value: (id) => scoreOf.get(id)!.risk!.windowLoss },
    { name: 'expected loss of the month (yuan)', value: (id) => scoreOf.get(id)!.risk!.monthLoss },
    { name: 'forest score', value: (id) => scoreOf.get(id)!.score },
    { name: 'claims count alone', value: (id) => byId.get(id)!.features.claims ?? 0 },
    { name: 'amount billed alone', value: (id) => byId.get(id)!.exposure!.cost },
    { name: 'amount billed to the fund alone', value: (id) => byId.get(id)!.exposure!.fund },
    { name: 'amount flagged by rules alone', value: (id) => byId.get(id)!.exposure!.flagged },
  ];
  const singles: Ranking[] = FEATURE_NAMES.flatMap((f) => [
    { name: `${f} (value)`, value: (id: string) => byId.get(id)!.features[f] ?? Number.NEGATIVE_INFINITY },
    { name: `${f} (peer z)`, value: (id: string) => scoreOf.get(id)!.comparable[f] },
  ]);
  const perCounty = (r: Ranking) =>
    counties.map((c) => {
      const ids = c.ids.filter((id) => byId.has(id));
      return rocAuc(
        ids.map((id) => r.value(id)),
        ids.map((id) => truth.get(id)!.fraudulent),
      );
    });
  const results = [...rankings, ...singles].map((r) => ({ name: r.name, aucs: perCounty(r) }));
  const singleResults = results
    .slice(rankings.length)
    .map((r) => ({ ...r, stats: meanSd(r.aucs) }))
    .sort((a, b) => b.stats.mean - a.stats.mean);
  const best = singleResults[0]!;
  const target = meanSd(results[0]!.aucs);
  const naive = [...results.slice(4, rankings.length), best].map((r) => ({ name: r.name, m: meanSd(r.aucs).mean }));
  const margin = target.mean - Math.max(...naive.map((n) => n.m));

  const fraud = current.filter((r) => truth.get(r.institutionId)?.fraudulent).length;
  out.push(
    `world ${world}: ${counties.length} counties (seeds ${data.seeds.join(',')}), scored ${lastMonth}, money window ${windowMonths} months, evidence window ${evidenceMonths} months`,
    ...header,
    `  ${current.length} institutions scored in ${lastMonth}, ${fraud} fraudulent; ${rows.length} institution-months in the window`,
    `  forest, scores and targeting ${trainMs.toFixed(0)} ms`,
    `  AUC, fraudulent vs honest institutions, per county, mean ± sd over ${counties.length}:`,
    ...results.slice(0, rankings.length).map((r) => `    ${r.name.padEnd(50)} ${meanSd(r.aucs).text}`),
    `    ${`best single feature: ${best.name}`.padEnd(50)} ${best.stats.text}`,
    `    next single features: ${singleResults
      .slice(1, 4)
      .map((r) => `${r.name} ${r.stats.text}`)
      .join('; ')}`,
    `  targeting score minus the best naive ranking (count, amount, fund, flagged, best single feature): ${margin >= 0 ? '+' : ''}${margin.toFixed(3)} (goal ≥ +0.03)`,
    `  peer basis of the scores: ${[...countBy(model.scores.map((s) => s.peerBasis))].map(([k, n]) => `${k} ${n}`).join(', ')}`,
  );
  out.push(...outcomeLearning(data, model, truth));
  if (values.verbose) {
    for (const s of [...model.scores].sort((a, b) => b.targeting!.score - a.targeting!.score).slice(0, 12)) {
      const t = truth.get(s.institutionId)!;
      out.push(
        `    ${s.institutionId} ${s.peerGroup} ${t.fraudulent ? `FRAUD[${t.behaviours.join(',')}]` : 'honest'} targeting ${s.targeting!.score.toFixed(3)} loss ${s.risk!.windowLoss.toFixed(0)} score ${s.score.toFixed(3)}`,
      );
    }
  }
  return out;
}

/**
 * Learning from outcomes: simulated auditors review 20% of the window's institution-months, three
 * quarters of them the targeting's top (each month's rows by the month's own targeting figure,
 * P(fraud) × billed), a quarter drawn at random from the rest, and conclude correctly 90% of the
 * time. The model is trained again with those labels; AUC is measured on the institution-months
 * nobody reviewed, per county: of the learned probability (the chosen model, then each reviewed
 * institution's own conclusions), of the model alone, and on the months of institutions never
 * reviewed (where only the model can help).
 */
function outcomeLearning(data: Dumped, model: ReturnType<typeof trainProviderModel>, truth: Map<string, { fraudulent: boolean }>): string[] {
  const rng = Xoshiro128ss.fromSeed(Number(values['audit-seed']));
  const uniform = () => rng.nextUint32() / 2 ** 32;
  const rowOf = new Map(data.rows.map((r) => [`${r.month}|${r.institutionId}`, r]));
  const rows = model.windowScores.map((s) => {
    const r = rowOf.get(`${s.month}|${s.institutionId}`);
    return { ...s, exposure: r?.exposure, ruleFamilies: r?.ruleFamilies, ruleHits: r?.ruleHits };
  });
  const window = windowEvidence(rows);
  const monthFigure = (r: (typeof rows)[number]) => logistic(3 * (targetingEvidence([r], { peerRate: window.peerRate }).evidence - 3)) * (r.exposure?.cost ?? 0);
  const share = Number(values['review-share']);
  const reviewed = new Set<string>();
  const key = (r: { institutionId: string; month: string }) => `${r.institutionId}|${r.month}`;
  const target = Math.round(rows.length * share);
  const byFigure = [...rows].sort((a, b) => monthFigure(b) - monthFigure(a) || (key(a) < key(b) ? -1 : 1));
  for (const r of byFigure.slice(0, Math.round(target * 0.75))) reviewed.add(key(r));
  const rest = rows.filter((r) => !reviewed.has(key(r)));
  while (reviewed.size < target && rest.length > 0) reviewed.add(key(rest.splice(Math.floor(uniform() * rest.length), 1)[0]!));
  const labels: OutcomeLabel[] = rows
    .filter((r) => reviewed.has(key(r)))
    .map((r) => {
      const fraud = truth.get(r.institutionId)!.fraudulent;
      const correct = uniform() < Number(values['auditor-accuracy']);
      return { institutionId: r.institutionId, month: r.month, label: (fraud === correct ? 1 : 0) as 0 | 1 };
    });
  const outcomeOptions = {
    minPerClass: Number(values['min-labels']),
    lambda: Number(values.lambda),
    ...(values['detail-lambda'] === 'cv' ? { detailLambdas: DETAIL_LAMBDAS } : { detailLambda: Number(values['detail-lambda']) }),
    auditorAccuracy: Number(values['assumed-accuracy']),
    ...(values['label-noise'] === 'auditors' ? {} : { labelNoise: Number(values['label-noise']) }),
    prior: values.prior as 'supervised' | 'calibrated' | 'unsupervised',
  };
  const withOutcomes = trainProviderModel(data.rows, data.lastMonth, {
    trees: Number(values.trees),
    psi: Number(values.psi),
    seed: Number(values.seed),
    windowMonths,
    evidenceMonths,
    outcomes: { labels, options: outcomeOptions },
  });
  const o = withOutcomes.outcome!;
  // The same learning on the same rows, for its per-row predictions (the model alone) and the final probability.
  const outcomeStarted = performance.now();
  const learned = learnFromOutcomes(rows, labels, outcomeOptions);
  const outcomeMs = performance.now() - outcomeStarted;
  const perCounty = (value: (r: (typeof rows)[number]) => number, filter: (r: (typeof rows)[number]) => boolean) =>
    data.counties.flatMap((c) => {
      const ids = new Set(c.ids);
      const list = rows.filter((r) => ids.has(r.institutionId) && filter(r));
      const ys = list.map((r) => truth.get(r.institutionId)!.fraudulent);
      return ys.some((y) => y) && ys.some((y) => !y) ? [rocAuc(list.map(value), ys)] : [];
    });
  const unreviewed = (r: (typeof rows)[number]) => !reviewed.has(key(r));
  const reviewedInstitutions = new Set(labels.map((l) => l.institutionId));
  const neverReviewed = (r: (typeof rows)[number]) => !reviewedInstitutions.has(r.institutionId);
  const unreviewedNow = (r: (typeof rows)[number]) => unreviewed(r) && r.month === data.lastMonth;
  const tNew = new Map(withOutcomes.scores.map((s) => [s.institutionId, s.targeting!.score]));
  const tOld = new Map(model.scores.map((s) => [s.institutionId, s.targeting!.score]));
  const finalOf = (r: (typeof rows)[number]) => learned.learnedLogOdds?.(r.institutionId) ?? 0;
  const modelOf = (r: (typeof rows)[number]) => learned.predict?.(r) ?? 0;
  const fittedSupervised = o.model;
  const supervisedAlone = fittedSupervised ? (r: (typeof rows)[number]) => predictLogistic(fittedSupervised, outcomeColumns(r, window)) : undefined;
  const unsupOf = (r: (typeof rows)[number]) => unsupervisedOf(r, window);
  const fin = meanSd(perCounty(finalOf, unreviewed));
  const unsup = meanSd(perCounty(unsupOf, unreviewed));
  const diff = (a: { mean: number }, b: { mean: number }) => (a.mean - b.mean >= 0 ? '+' : '') + (a.mean - b.mean).toFixed(3);
  const finNever = meanSd(perCounty(finalOf, (r) => unreviewed(r) && neverReviewed(r)));
  const unsupNever = meanSd(perCounty(unsupOf, (r) => unreviewed(r) && neverReviewed(r)));
  const lines = [
    `  learning from outcomes: auditors review ${reviewed.size} of ${rows.length} institution-months (${(share * 100).toFixed(0)}%: 3/4 the targeting's top, 1/4 at random), ${(Number(values['auditor-accuracy']) * 100).toFixed(0)}% correct (audit seed ${values['audit-seed']})`,
    `    labels ${o.labels.positive} confirmed, ${o.labels.negative} dismissed; ${o.cv ? `cross-validated AUC (${o.cv.folds} folds by institution) supervised ${o.cv.supervisedAuc.toFixed(3)}, unsupervised ${o.cv.unsupervisedAuc.toFixed(3)}; ` : ''}used: ${o.used} (${o.why})`,
    `    fits: label noise ${+(o.labelNoise ?? 0).toFixed(3)}, detail penalty ${o.model ? o.model.detailLambda : '-'}${o.penalty ? ' (chosen by cross-validation)' : ''}, prior of the learned probability ${o.prior ?? '-'}${o.calibration ? ` (calibrated P(fraud) = σ(${(o.calibration.weights[0]! / o.calibration.sds[0]!).toFixed(2)} × (evidence − ${(o.calibration.means[0]! - (o.calibration.intercept * o.calibration.sds[0]!) / o.calibration.weights[0]!).toFixed(2)})))` : ''}; outcome learning ${outcomeMs.toFixed(0)} ms`,
    `    AUC on the ${rows.filter(unreviewed).length} institution-months nobody reviewed, per county: learned from outcomes (${o.used} model, then each reviewed institution's own conclusions) ${fin.text}; unsupervised evidence ${unsup.text}; difference ${diff(fin, unsup)}`,
    `      the ${o.prior ?? o.used} model alone (the prior), without the institution's own conclusions: ${meanSd(perCounty(modelOf, unreviewed)).text}${o.used === 'unsupervised' && supervisedAlone ? `; the supervised model (not used) alone ${meanSd(perCounty(supervisedAlone, unreviewed)).text}` : ''}`,
    `      on the ${rows.filter((r) => unreviewed(r) && neverReviewed(r)).length} months of the ${new Set(rows.filter(neverReviewed).map((r) => r.institutionId)).size} institutions never reviewed: learned ${finNever.text}; unsupervised ${unsupNever.text}; difference ${diff(finNever, unsupNever)}`,
    `    AUC of the targeting score in ${data.lastMonth} on institutions not reviewed that month: with outcomes ${meanSd(perCounty((r) => tNew.get(r.institutionId)!, unreviewedNow)).text}, without ${meanSd(perCounty((r) => tOld.get(r.institutionId)!, unreviewedNow)).text}`,
  ];
  return lines;
}

function countBy(xs: string[]) {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

const lines: string[] = [
  `provider targeting benchmark; machine load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
];
for (const world of worlds) lines.push(...(await runWorld(world)));
process.stdout.write(`${lines.join('\n')}\n`);
