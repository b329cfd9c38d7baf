/**
 * Isolation-forest benchmark: the project's forest (models/isolation-forest) against the npm
 * package ml-isolation-forest 0.1.0 on ODDS shuttle (49,097 rows × 9), 100 trees, ψ = 256
 * (ml-isolation-forest has no ψ: it grows every tree on the whole training set).
 *
 *   npm run bench:model
 *
 * Each implementation runs in its own child process (forked with --expose-gc), so the memory
 * one uses cannot show up in the other's figures. In each child: the CSV is read and parsed
 * into number[][] (both libraries get the same number[][] input; the project's forest converts
 * it to a Float64Array inside fit/score and that time is counted), gc() runs, then
 *  - times: wall clock (performance.now()) and CPU time of the process (process.cpuUsage(),
 *    user + system) around fit and around scoring all rows. CPU time is printed too because
 *    on a busy machine wall time mostly measures the other processes; the load average is
 *    printed before and after. The project's forest is timed cold (first call, includes JIT
 *    warm-up) and warm (median of 5 more runs); ml-isolation-forest once (a fit takes seconds).
 *  - memory: RSS (process.memoryUsage().rss) after loading, after the first fit, after the
 *    first scoring; peak RSS of the child up to then (process.resourceUsage().maxRSS, the
 *    kernel's high-water mark, read before the warm repeats), and what the trained model holds
 *    (heapUsed + arrayBuffers after gc with the model alive, minus the same before fit).
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsolationForest } from '../models/isolation-forest/index.js';
import { rocAuc } from '../models/metrics/auc.js';
import { parseOddsCsv, toRows } from '../test/models/odds.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHUTTLE = path.resolve(HERE, '..', '../shared/data/odds/shuttle.csv');
const TREES = 100;
const PSI = 256;
const SEED = 1;
const WARM_RUNS = 5;

type Impl = 'claimscreen' | 'ml-isolation-forest';

/** Milliseconds: wall clock and process CPU (user + system). */
interface Timing {
  wall: number;
  cpu: number;
}

interface Result {
  impl: Impl;
  rows: number;
  trainCold: Timing;
  trainWarm: Timing | null;
  scoreCold: Timing;
  scoreWarm: Timing | null;
  auc: number;
  meanOutlier: number;
  meanInlier: number;
  rssAfterLoadMb: number;
  rssAfterFitMb: number;
  rssAfterScoreMb: number;
  peakRssMb: number;
  modelMb: number;
  nodes: number | null;
}

interface MlForest {
  train(rows: number[][]): void;
  predict(rows: number[][]): number[];
}
type MlForestCtor = new (options?: { nEstimators?: number }) => MlForest;

const MB = 1024 * 1024;
const mb = (bytes: number) => bytes / MB;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with --expose-gc (the parent process does this)');
  g();
  g();
}

/** V8 heap in use plus ArrayBuffer backing stores (typed arrays live outside heapUsed). */
function heapAndBuffers(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function timed<T>(f: () => T): [T, Timing] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [v, { wall, cpu: (c.user + c.system) / 1000 }];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function medianTiming(ts: Timing[]): Timing {
  return { wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) };
}

function meanByLabel(scores: ArrayLike<number>, labels: Uint8Array): [number, number] {
  let out = 0;
  let nOut = 0;
  let inl = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      out += scores[i]!;
      nOut++;
    } else inl += scores[i]!;
  }
  return [out / nOut, inl / (labels.length - nOut)];
}

function runChild(impl: Impl): Result {
  const ds = parseOddsCsv(readFileSync(SHUTTLE, 'utf8'), 'shuttle');
  const rows = toRows(ds);
  const labels = ds.labels;
  gc();
  const rssAfterLoad = process.memoryUsage().rss;
  const before = heapAndBuffers();

  let fit: () => unknown;
  let score: (model: unknown) => ArrayLike<number>;
  if (impl === 'claimscreen') {
    fit = () => IsolationForest.fit(rows, { trees: TREES, psi: PSI, seed: SEED });
    score = (m) => (m as IsolationForest).score(rows);
  } else {
    const require = createRequire(import.meta.url);
    const { IsolationForest: MlIsolationForest } = require('ml-isolation-forest') as {
      IsolationForest: MlForestCtor;
    };
    fit = () => {
      const m = new MlIsolationForest({ nEstimators: TREES });
      m.train(rows);
      return m;
    };
    score = (m) => (m as MlForest).predict(rows);
  }

  const [model, trainCold] = timed(fit);
  const rssAfterFit = process.memoryUsage().rss;
  gc();
  const modelBytes = heapAndBuffers() - before;
  const [scores, scoreCold] = timed(() => score(model));
  const rssAfterScore = process.memoryUsage().rss;
  const peakRss = process.resourceUsage().maxRSS * 1024;

  let trainWarm: Timing | null = null;
  let scoreWarm: Timing | null = null;
  if (impl === 'claimscreen') {
    const fits: Timing[] = [];
    const scorings: Timing[] = [];
    for (let k = 0; k < WARM_RUNS; k++) {
      const [m, tf] = timed(fit);
      const [s, ts] = timed(() => score(m));
      fits.push(tf);
      scorings.push(ts);
      for (let i = 0; i < s.length; i++) {
        if (s[i] !== scores[i]) throw new Error('same seed gave different scores');
      }
    }
    trainWarm = medianTiming(fits);
    scoreWarm = medianTiming(scorings);
  }

  const [meanOutlier, meanInlier] = meanByLabel(scores, labels);
  return {
    impl,
    rows: ds.rows,
    trainCold,
    trainWarm,
    scoreCold,
    scoreWarm,
    auc: rocAuc(scores, labels),
    meanOutlier,
    meanInlier,
    rssAfterLoadMb: mb(rssAfterLoad),
    rssAfterFitMb: mb(rssAfterFit),
    rssAfterScoreMb: mb(rssAfterScore),
    peakRssMb: mb(peakRss),
    modelMb: mb(modelBytes),
    nodes: model instanceof IsolationForest ? model.nodeCount : null,
  };
}

function spawn(impl: Impl): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', impl], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: Result | undefined;
    child.on('message', (m) => (result = m as Result));
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`${impl} child exited with ${code}`))));
  });
}

const f1 = (x: number) => x.toFixed(1);
const fmtT = (t: Timing | null) => (t ? `${f1(t.wall)} (${f1(t.cpu)})` : '—');
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US');
const fmtRate = (rows: number, t: Timing | null) => (t ? `${rate(rows, t.wall)} (${rate(rows, t.cpu)})` : '—');
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function report(ours: Result, ml: Result, loadBefore: string): void {
  const line = (label: string, a: string, b: string) => console.log(`${label.padEnd(36)}${a.padStart(24)}${b.padStart(24)}`);
  console.log(
    `\nshuttle: ${ours.rows.toLocaleString('en-US')} rows × 9, ${TREES} trees; claimscreen ψ = ${PSI}, seed ${SEED}; ` +
      `ml-isolation-forest: whole set per tree\n${os.cpus().length} CPUs, load average before ${loadBefore}, after ${load()}\n` +
      `times: wall ms (CPU ms of the process); rates: by wall (by CPU)\n`,
  );
  line('', 'claimscreen', 'ml-isolation-forest');
  line('train, cold', fmtT(ours.trainCold), fmtT(ml.trainCold));
  line(`train, warm median of ${WARM_RUNS}`, fmtT(ours.trainWarm), '—');
  line('score all rows, cold', fmtT(ours.scoreCold), fmtT(ml.scoreCold));
  line(`score all rows, warm median of ${WARM_RUNS}`, fmtT(ours.scoreWarm), '—');
  line('scoring rows/s, cold', fmtRate(ours.rows, ours.scoreCold), fmtRate(ml.rows, ml.scoreCold));
  line('scoring rows/s, warm', fmtRate(ours.rows, ours.scoreWarm), '—');
  line('AUC', ours.auc.toFixed(4), ml.auc.toFixed(4));
  line('mean score outliers / inliers', `${ours.meanOutlier.toFixed(3)} / ${ours.meanInlier.toFixed(3)}`, `${ml.meanOutlier.toFixed(3)} / ${ml.meanInlier.toFixed(3)}`);
  line('RSS after loading data (MB)', f1(ours.rssAfterLoadMb), f1(ml.rssAfterLoadMb));
  line('RSS after fit (MB)', f1(ours.rssAfterFitMb), f1(ml.rssAfterFitMb));
  line('RSS after scoring (MB)', f1(ours.rssAfterScoreMb), f1(ml.rssAfterScoreMb));
  line('peak RSS (MB)', f1(ours.peakRssMb), f1(ml.peakRssMb));
  line('peak RSS − RSS after loading (MB)', f1(ours.peakRssMb - ours.rssAfterLoadMb), f1(ml.peakRssMb - ml.rssAfterLoadMb));
  line('heap + buffers held by model (MB)', f1(ours.modelMb), f1(ml.modelMb));
  if (ours.nodes !== null) line('tree nodes (all trees)', ours.nodes.toLocaleString('en-US'), '—');

  const ratio = (a: Timing, b: Timing) => `${(a.wall / b.wall).toFixed(0)}× wall, ${(a.cpu / b.cpu).toFixed(0)}× CPU`;
  console.log(`\ntraining speed-up vs ml-isolation-forest: cold ${ratio(ml.trainCold, ours.trainCold)}; warm ${ratio(ml.trainCold, ours.trainWarm!)} (goal ≥ 20×)`);
  console.log(`scoring: warm ${fmtRate(ours.rows, ours.scoreWarm)} rows/s, cold ${fmtRate(ours.rows, ours.scoreCold)} rows/s (goal ≥ 200,000)`);
  const trainOk = ml.trainCold.wall / ours.trainCold.wall >= 20;
  const scoreOk = ours.rows / (ours.scoreWarm!.wall / 1000) >= 200_000;
  console.log(
    `goals by wall clock: training ${trainOk ? 'met' : 'NOT met'}, scoring ${scoreOk ? 'met' : 'NOT met'}` +
      (scoreOk ? '' : ' (check the load average: wall time on a busy machine counts other processes)'),
  );
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const impl = process.argv[childAt + 1] as Impl;
  const result = runChild(impl);
  process.send!(result, () => process.disconnect());
} else {
  const loadBefore = load();
  const ours = await spawn('claimscreen');
  const ml = await spawn('ml-isolation-forest');
  report(ours, ml, loadBefore);
}
